/// Numbers with a missing mask. A missing entry's value is unspecified (NaN by convention).
public struct NumericColumn: Sendable, Equatable {
    public var values: [Double]
    public var isMissing: [Bool]

    public init(values: [Double], isMissing: [Bool]) {
        precondition(values.count == isMissing.count, "values and mask differ in length")
        self.values = values
        self.isMissing = isMissing
    }

    /// A column with no missing values.
    public init(_ values: [Double]) {
        self.init(values: values, isMissing: values.map { $0.isNaN })
    }

    public static func == (a: NumericColumn, b: NumericColumn) -> Bool {
        guard a.isMissing == b.isMissing, a.values.count == b.values.count else { return false }
        for i in a.values.indices where !a.isMissing[i] && a.values[i] != b.values[i] { return false }
        return true
    }
}
