/// How a design turned its predictors into columns, captured when it was built from the fit's data:
/// each factor's levels and reference, each transform's constants (a centring mean, `scale`'s mean and
/// SD, `poly`'s recurrence coefficients), each grouping factor's levels. Applied to new data it gives
/// the same columns (``NewDataDesign``); saved with a model it makes prediction possible without the data.
public struct DesignCoding: Sendable, Codable, Equatable {
    /// A factor's coding: its levels (names as in coefficient names), their data values, the reference.
    public struct Factor: Sendable, Codable, Equatable {
        public var variable: String
        /// The base as the formula gave it ("" when none), part of the key.
        public var requestedBase: String
        public var levels: [String]
        public var levelValues: [String]
        public var base: Int
    }

    public var factors: [Factor] = []
    /// Constants of transforms by the call's text: `center(x)`: [mean]; `scale(x)`: [mean, sd];
    /// `poly(x, k)`: [x̄, α₁…α_k, n₁…n_{k+2}] (R's `poly` coefs: alpha and norm2).
    public var constants: [String: [Double]] = [:]
    /// The levels of each grouping factor, by group name (`batch:cask` for a nested one).
    public var groupLevels: [String: [String]] = [:]
    /// Numeric columns the fixed and random parts read (the rest are factors).
    public var numericVariables: [String] = []

    public init() {}

    func factor(_ variable: String, base: BaseLevel?) -> Factor? {
        factors.first { $0.variable == variable && $0.requestedBase == Self.key(base) }
    }

    mutating func record(_ factor: Factor) {
        if self.factor(factor.variable, baseKey: factor.requestedBase) == nil { factors.append(factor) }
    }

    private func factor(_ variable: String, baseKey: String) -> Factor? {
        factors.first { $0.variable == variable && $0.requestedBase == baseKey }
    }

    static func key(_ base: BaseLevel?) -> String {
        switch base {
        case nil: ""
        case .first?: "first"
        case .last?: "last"
        case .value(let v)?: "value:" + v
        case .levels(let l)?: "levels:" + l.joined(separator: ",")
        }
    }
}
