import Foundation
import HLMFormula

/// The profiled deviance (ML) or REML criterion as a function of θ, with β and σ² profiled out
/// (Bates, Mächler, Bolker & Walker 2015). Each evaluation updates the blocked Cholesky factor of
/// [Λ'Z'ZΛ + I, Λ'Z'X, Λ'Z'y; …] from the cross products and reads the criterion off its diagonal;
/// its cost does not depend on the number of rows.
public final class ProfiledDeviance: @unchecked Sendable {
    public enum Criterion: String, Sendable, Codable {
        case ml = "ML", reml = "REML"
    }

    public let design: ModelDesign
    public let criterion: Criterion
    let products: CrossProducts
    /// The map from θ to each term's λ, with θ's bounds and lme4's start.
    public let parameters: CovarianceParameters
    /// Subtracted from y before the cross products (its mean, when X has an intercept); added back to β₀.
    let yShift: Double
    /// The column of X holding the intercept, if any.
    let interceptColumn: Int?
    /// The factor at the last θ evaluated.
    private(set) var factor: BlockedFactor
    /// Factorisations so far (a repeated θ is not counted).
    public private(set) var evaluations = 0

    /// `parallelRestCount`: the size of dense block from which the work is split between two threads;
    /// `parallelGroups`: the groups of a one-term model from which it is.
    public convenience init(_ design: ModelDesign, criterion: Criterion) {
        self.init(design, criterion: criterion, parallelRestCount: BlockedFactor.parallelRestCount)
    }

    convenience init(_ design: ModelDesign, criterion: Criterion, parallelRestCount: Int,
                     parallelGroups: Int = BlockedFactor.parallelGroups) {
        precondition(!design.randomTerms.isEmpty, "a mixed model needs a random-effects term")
        // Centring y needs a column of ones; weighted rows have √w there instead.
        let hasIntercept = design.fixedNames.contains("(Intercept)")
        let yShift = !hasIntercept || design.y.isEmpty || design.weights != nil ? 0 : design.y.reduce(0, +) / Double(design.y.count)
        self.init(template: design, products: CrossProducts(design, yShift: yShift), yShift: yShift, criterion: criterion,
                  parallelRestCount: parallelRestCount, parallelGroups: parallelGroups)
    }

    /// The criterion from cross products already formed: from the design's rows, or summed (a fit from
    /// ``SufficientStatistics``, whose `design` describes the model without its rows); y was shifted by
    /// `yShift` before the sums.
    init(template design: ModelDesign, products: CrossProducts, yShift: Double, criterion: Criterion,
         parallelRestCount: Int = BlockedFactor.parallelRestCount, parallelGroups: Int = BlockedFactor.parallelGroups) {
        self.design = design
        self.criterion = criterion
        interceptColumn = design.fixedNames.firstIndex(of: "(Intercept)")
        self.yShift = yShift
        self.products = products
        parameters = CovarianceParameters(design.randomTerms)
        factor = BlockedFactor(products: products, design: design, parallelRestCount: parallelRestCount, parallelGroups: parallelGroups)
    }

    /// Where the optimiser starts: a moment estimate for one-term models (λ = I as lme4 otherwise), and
    /// its first step.
    public func startingPoint() -> StartingValues.Start {
        StartingValues.start(design, products: products, parameters: parameters)
    }

    /// The number of covariance parameters.
    public var parameterCount: Int { parameters.count }

    /// The θ the factor was last computed at, the criterion there, and whether its blocks were kept.
    private var current: (theta: [Double], value: Double, blocksStored: Bool)?

    /// −2 log-likelihood (ML) or the REML criterion at θ; +∞ where the factorisation fails. Asking again
    /// at the same θ costs nothing (the optimiser's last point, the extraction and the checks share one
    /// factorisation). One-term models skip storing the factor's per-group blocks: the criterion does
    /// not need them; readers of the factor ask for them with `keepingBlocks`.
    public func evaluate(_ theta: [Double]) -> Double {
        evaluate(theta, keepingBlocks: false)
    }

    /// `evaluate`, after which the whole factor at θ is in `factor`.
    func evaluate(_ theta: [Double], keepingBlocks: Bool) -> Double {
        if let current, current.theta == theta, current.blocksStored || !keepingBlocks { return current.value }
        evaluations += 1
        current = nil
        var lambdas: [[Double]] = []
        for k in products.order.indices {
            guard let lambda = parameters.lambda(theta, term: products.order[k]) else { return .infinity }
            lambdas.append(lambda)
        }
        guard factor.update(products: products, lambdas: lambdas, design: design, keepsBlocks: keepingBlocks) else { return .infinity }
        let value = objective()
        current = (theta, value, factor.blocksStored)
        return value
    }

    /// The criterion from the current factor.
    func objective() -> Double {
        let n = Double(products.n), p = Double(products.p)
        let r2 = factor.penalizedResidualSumOfSquares
        switch criterion {
        case .ml:
            return factor.logDeterminantZ + n * (1 + log(2 * Double.pi * r2 / n))
        case .reml:
            let dof = n - p
            return factor.logDeterminantZ + factor.logDeterminantX + dof * (1 + log(2 * Double.pi * r2 / dof))
        }
    }
}
