/// Which level of a factor is the reference.
public enum BaseLevel: Hashable, Sendable {
    /// The level whose value or label is this (Stata `ib2.f`; value 2).
    case value(String)
    case first, last
    /// These levels in this order, the first the reference (R's `factor(x, levels = c(...))`); rows with
    /// another value are dropped as missing, as R makes them NA.
    case levels([String])
}
