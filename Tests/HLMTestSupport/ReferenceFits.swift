import Foundation

/// lme4's fits of the bundled data (`Examples/data/reference-fits.json`): the golden values.
public struct ReferenceFit: Decodable, Sendable, CustomStringConvertible {
    public struct FixedEffect: Decodable, Sendable {
        public var name: String
        public var estimate: Double
        public var stdError: Double
    }

    public struct VarCorr: Decodable, Sendable {
        public var group: String
        public var var1: String?
        public var var2: String?
        public var vcov: Double
        public var sdcor: Double
    }

    public var dataset: String
    public var formula: String
    public var method: String
    public var filter: String?
    public var nobs: Int
    public var ngroups: [String: Int]
    public var logLik: Double
    public var deviance: Double
    public var fixef: [FixedEffect]
    public var varcorr: [VarCorr]

    public var description: String { "\(dataset): \(formula) (\(method)\(filter.map { ", " + $0 } ?? ""))" }

    /// Our name for lme4's group name: lme4 writes a nested group inner:outer (we write outer:inner)
    /// and a second term on the same factor as `Subject.1` (we write `Subject` again).
    public static func ourGroupName(_ lme4Name: String) -> String {
        var name = lme4Name
        if let dot = name.lastIndex(of: "."), name[name.index(after: dot)...].allSatisfy(\.isNumber), name.index(after: dot) < name.endIndex {
            name = String(name[..<dot])
        }
        return name.split(separator: ":").reversed().joined(separator: ":")
    }

    public static func all() throws -> [ReferenceFit] {
        let data = try Data(contentsOf: Fixtures.dataDirectory.appendingPathComponent("reference-fits.json"))
        return try JSONDecoder().decode([ReferenceFit].self, from: data)
    }
}
