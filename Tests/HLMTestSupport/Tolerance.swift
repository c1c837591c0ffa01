/// Numerical comparison with stated tolerances: never compare printed strings.
public enum Tolerance {
    /// Whether `actual` is within `relative` of `expected` (relative to |expected|), or within
    /// `absolute`, whichever is looser.
    public static func isClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double = 0) -> Bool {
        let difference = abs(actual - expected)
        return difference <= absolute || difference <= relative * abs(expected)
    }

    /// A message for a failed comparison.
    public static func describe(_ what: String, _ actual: Double, _ expected: Double) -> String {
        "\(what): got \(actual), expected \(expected) (difference \(actual - expected))"
    }
}
