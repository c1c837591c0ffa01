import Foundation

/// R's answers for issue 12's checks (`Examples/data/reference-fidelity.json`, written by
/// `Tools/crosscheck-fidelity.R` with lme4 and lm): the golden values, by case name.
public enum FidelityReference {
    nonisolated(unsafe) public static let cases: [String: Any] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-fidelity.json")))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    /// One case's object.
    public static func `case`(_ name: String) -> [String: Any] { cases[name] as! [String: Any] }

    /// A number in a case: `number("quadratic", "logLik")`, or nested `number("ols", "coef", "lrt")`.
    public static func number(_ path: String...) -> Double {
        var object: Any = cases
        for key in path { object = (object as! [String: Any])[key]! }
        return (object as! NSNumber).doubleValue
    }

    /// A case's fixed effects by R's name.
    public static func fixedEffects(_ name: String, key: String = "fixef") -> [String: Double] {
        (self.case(name)[key] as! [String: Any]).mapValues { ($0 as! NSNumber).doubleValue }
    }
}
