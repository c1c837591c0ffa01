import HLMFormula

/// What the blocked factor at θ gives, lme4's extraction stage: the fixed effects β, the spherical
/// random effects u (b = Λu), σ², vcov(β) and the conditional modes. Each is a named step, so that a
/// caller can compose them by hand (``LinearMixedModel/init(deviance:summary:)`` does).
public struct FactorSolution: Sendable {
    public var theta: [Double]
    /// The criterion at θ (without the prior weights' Σ log w).
    public var objective: Double
    public var beta: [Double]
    /// u of the first term in the factor's order, group by group (q₁ values each).
    public var firstTermModes: [Double]
    /// u of the other terms, then β, as solved from L₂₂ (the dense block's unknowns).
    public var restModes: [Double]
    /// σ̂²: the penalised residual sum of squares over n (ML) or n − p (REML).
    public var sigma2: Double
    /// vcov(β) = σ² (L_X L_X')⁻¹, p×p column-major.
    public var betaCovariance: [Double]

    /// Solves at θ (factorising there if the deviance is elsewhere); nil where the factor fails.
    public init?(deviance: ProfiledDeviance, theta: [Double]) {
        let objective = deviance.evaluate(theta, keepingBlocks: true)
        guard objective.isFinite else { return nil }
        let factor = deviance.factor, products = deviance.products
        let z = factor.zRest, p = factor.p, q1 = factor.q1
        let n = Double(products.n)
        self.theta = theta
        self.objective = objective
        sigma2 = factor.penalizedResidualSumOfSquares / (deviance.criterion == .ml ? n : n - Double(p))
        // Back-substitution: L₂₂' [u_rest; β] = the y-row of L₂₂, then each first-term group.
        let m = z + p
        let v = factor.restSolution
        restModes = v
        beta = Array(v[z..<m])
        if let intercept = deviance.interceptColumn { beta[intercept] += deviance.yShift }
        var u1 = [Double](repeating: 0, count: q1 * factor.groups1)
        for j in 0..<factor.groups1 {
            let first = products.panelStart[j], height = products.panelStart[j + 1] - first
            let panel = products.panelValueStart[j]
            var rhs = (0..<q1).map { c in
                // The panel's last row is y's.
                var s = factor.l21[panel + c * height + (height - 1)]
                for a in 0..<(height - 1) { s -= factor.l21[panel + c * height + a] * v[Int(products.panelRows[first + a])] }
                return s
            }
            TriangularSolve.backward(factor.l11, offset: j * q1 * q1, stride: q1, n: q1, &rhs)
            for c in 0..<q1 { u1[j * q1 + c] = rhs[c] }
        }
        firstTermModes = u1
        betaCovariance = factor.betaCovariance(scale: sigma2)
    }

    /// The conditional modes b = Λu of each term, in design order: groups × coefficients.
    public func conditionalModes(_ deviance: ProfiledDeviance) -> [[[Double]]] {
        let design = deviance.design, products = deviance.products, parameters = deviance.parameters
        var modes = [[[Double]]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = parameters.lambda(theta, term: k)!
            let u: [Double] = position == 0 ? firstTermModes : {
                let offset = products.restOffsets[position - 1]
                return Array(restModes[offset..<(offset + q * term.groupCount)])
            }()
            modes[k] = (0..<term.groupCount).map { g in
                (0..<q).map { i in (0...i).reduce(0.0) { $0 + lambda[i + $1 * q] * u[g * q + $1] } }
            }
        }
        return modes
    }

    /// For a one-term model, each group's conditional covariance σ² λ (L_j L_j')⁻¹ λ' (q×q, flattened);
    /// nil with several terms (their blocks couple through L₂₂).
    public func conditionalVariances(_ deviance: ProfiledDeviance) -> [[[Double]]]? {
        guard deviance.design.randomTerms.count == 1 else { return nil }
        let factor = deviance.factor, q = factor.q1
        let lambda = deviance.parameters.lambda(theta, term: 0)!
        return [(0..<factor.groups1).map { j in
            // W = L_j⁻¹ λ', then σ² W'W.
            var w = [Double](repeating: 0, count: q * q)
            for column in 0..<q {
                var x = (0..<q).map { lambda[column + $0 * q] }
                TriangularSolve.forward(factor.l11, offset: j * q * q, stride: q, n: q, &x)
                for i in 0..<q { w[i + column * q] = x[i] }
            }
            return TriangularSolve.gram(w, rows: q, columns: q, scale: sigma2)
        }]
    }

    /// The variance components: Σ_k = σ² λ_k λ_k', with SDs and correlations.
    public func components(_ deviance: ProfiledDeviance) -> [VarianceComponent] {
        let design = deviance.design
        return design.randomTerms.indices.map { k in
            LinearMixedModel.component(design.randomTerms[k], lambda: deviance.parameters.lambda(theta, term: k)!, sigma2: sigma2,
                                       structure: design.randomTerms[k].covariance)
        }
    }
}
