/// A model that cannot be fitted.
public enum EstimationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noRandomEffects
    case tooFewObservations(Int, Int)
    case cannotFactor
    case tooLargeForDenseMethod(Int)
    case notConverged(String)
    case unsupported(String)
    /// Bad input: a `--variance` specification that does not fit the model.
    case badVarianceSpecification(String)
    /// The response does not vary: there is nothing to fit.
    case constantResponse
    /// A grouping factor with fewer than two groups.
    case tooFewGroups(String, Int)
    /// A grouping factor with as many groups as observations: its effects and the residual coincide.
    case groupsEqualObservations(String, Int)
    /// Crossed factors whose levels make the factor's dense block too large to factor.
    /// The factorisation would need more memory (bytes) than the machine has (bytes), for these terms.
    case tooLargeForMemory(Double, Double, [String])

    public var description: String {
        switch self {
        case .noRandomEffects: "the model has no random-effects term (add one, e.g. (1 | group))"
        case .tooFewObservations(let n, let p): "\(n) observations cannot estimate \(p) fixed effects and a residual variance"
        case .cannotFactor: "the cross-product matrix is not positive definite at the start (is the response constant?)"
        case .tooLargeForDenseMethod(let size): "this method solves dense systems of size \(size), more than \(4000); use the default profiled optimiser"
        case .notConverged(let what): "\(what) did not converge"
        case .unsupported(let what): what
        case .badVarianceSpecification(let message): message
        case .constantResponse: "the response is constant in the rows used; there is no variation to model"
        case .tooFewGroups(let name, let count): "\(name) has \(count) group\(count == 1 ? "" : "s") in the rows used; a random effect needs at least two"
        case .groupsEqualObservations(let name, let count): "\(name) has \(count) groups for \(count) observations; its random effects cannot be told from the residual (as lme4 refuses)"
        case .tooLargeForMemory(let needed, let available, let factors):
            "the factorisation over the random effects of \(factors.joined(separator: ", ")) needs \(Self.gigabytes(needed)) of memory, more than the \(Self.gigabytes(available)) available"
        }
    }

    private static func gigabytes(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
    }
}
