import Foundation
import HLMFormula

extension LinearMixedModel {
    /// Reads β, σ, the conditional modes and the variance components off the factor at the optimum.
    /// `convergence`: the gradient check's verdict when the caller has already made it (nil inside: converged).
    /// `curvature`: the likelihood's curvature at the optimum when the caller has it (from its check).
    init(deviance: ProfiledDeviance, summary: OptimizationSummary, estimatesVariance: Bool = true,
         convergence known: Diagnostic?? = .none, curvature: LikelihoodCurvature? = nil) throws(EstimationError) {
        let theta = summary.finalTheta
        let objective = deviance.evaluate(theta, keepingBlocks: true)
        guard objective.isFinite else { throw EstimationError.cannotFactor }
        let design = deviance.design, products = deviance.products, factor = deviance.factor
        let r = factor.r, z = factor.zRest, p = factor.p, q1 = factor.q1
        let n = Double(products.n)
        let r2 = factor.penalizedResidualSumOfSquares
        let sigma2 = r2 / (deviance.criterion == .ml ? n : n - Double(p))

        // Back-substitution: L₂₂' [u_rest; β] = y-row of L₂₂, then each first-term group.
        let m = z + p
        var v = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) {
            var s = factor.l22[(r - 1) + i * r]
            for k in (i + 1)..<max(i + 1, m) { s -= factor.l22[k + i * r] * v[k] }
            v[i] = s / factor.l22[i + i * r]
        }
        var beta = Array(v[z..<m])
        if let intercept = deviance.interceptColumn { beta[intercept] += deviance.yShift }
        var u1 = [Double](repeating: 0, count: q1 * factor.groups1)
        for j in 0..<factor.groups1 {
            let first = products.panelStart[j], height = products.panelStart[j + 1] - first
            let panel = products.panelValueStart[j], block = j * q1 * q1
            var rhs = (0..<q1).map { c in
                // The panel's last row is y's.
                var s = factor.l21[panel + c * height + (height - 1)]
                for a in 0..<(height - 1) { s -= factor.l21[panel + c * height + a] * v[Int(products.panelRows[first + a])] }
                return s
            }
            for i in stride(from: q1 - 1, through: 0, by: -1) {
                for k in (i + 1)..<max(i + 1, q1) { rhs[i] -= factor.l11[block + k + i * q1] * rhs[k] }
                rhs[i] /= factor.l11[block + i + i * q1]
            }
            for c in 0..<q1 { u1[j * q1 + c] = rhs[c] }
        }

        // vcov(β) = σ² (L_X L_X')⁻¹.
        var inverse = [Double](repeating: 0, count: p * p)
        for column in 0..<p {
            var e = [Double](repeating: 0, count: p)
            e[column] = 1
            for i in 0..<p {
                var s = e[i]
                for k in 0..<i { s -= factor.l22[(z + i) + (z + k) * r] * e[k] }
                e[i] = s / factor.l22[(z + i) + (z + i) * r]
            }
            for i in 0..<p { inverse[i + column * p] = e[i] }
        }
        var covariance = [Double](repeating: 0, count: p * p)
        for a in 0..<p { for b in 0..<p {
            var s = 0.0
            for k in 0..<p { s += inverse[k + a * p] * inverse[k + b * p] }
            covariance[a + b * p] = sigma2 * s
        } }

        // Conditional modes b = Λ u for each term, in design order.
        let parameters = deviance.parameters
        var modes = [[[Double]]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = parameters.lambda(theta, term: k)!
            let u: [Double] = position == 0 ? u1 : {
                let offset = products.restOffsets[position - 1]
                return Array(v[offset..<(offset + q * term.groupCount)])
            }()
            modes[k] = (0..<term.groupCount).map { g in
                (0..<q).map { i in (0...i).reduce(0.0) { $0 + lambda[i + $1 * q] * u[g * q + $1] } }
            }
        }
        var conditionalVariances: [[[Double]]]?
        if design.randomTerms.count == 1 {
            let lambda = parameters.lambda(theta, term: 0)!
            conditionalVariances = [(0..<factor.groups1).map { j in
                Self.conditionalCovariance(factor.l11, block: j * q1 * q1, lambda: lambda, q: q1, sigma2: sigma2)
            }]
        }

        let components = design.randomTerms.indices.map { k in
            Self.component(design.randomTerms[k], lambda: parameters.lambda(theta, term: k)!, sigma2: sigma2,
                           structure: design.randomTerms[k].covariance)
        }
        var diagnostics = Self.designDiagnostics(design)
        let singularTerms = SingularityCheck.singularTerms(theta: theta, parameters: parameters, components: components)
        diagnostics += singularTerms.map { Diagnostic.singularFit(group: $0.group, terms: $0.terms) }
        let convergence: Diagnostic?
        if let known {
            convergence = known
        } else if estimatesVariance {
            convergence = ConvergenceCheck.check(deviance: deviance, theta: theta, lower: parameters.lowerBounds, upper: parameters.upperBounds)
        } else {
            convergence = nil
        }
        if let problem = convergence { diagnostics.append(problem) }
        if !BOBYQA.succeeded(summary.returnCode) {
            diagnostics.append(.optimizerFailed(code: summary.returnCode, meaning: summary.returnMessage))
        }

        self.init(
            design: design, criterion: deviance.criterion, theta: theta, beta: beta, betaCovariance: covariance,
            // Prior weights: the criterion of the √w-scaled rows less Σ log w (lme4's deviance with weights).
            sigma: sigma2.squareRoot(), objective: objective - design.logWeightSum, components: components, conditionalModes: modes,
            conditionalVariances: conditionalVariances, optimization: summary, varianceInference: nil,
            converged: convergence == nil && BOBYQA.succeeded(summary.returnCode), singular: !singularTerms.isEmpty,
            diagnostics: diagnostics)
        varianceInference = estimatesVariance ? VarianceComponentInference.compute(fit: self, deviance: deviance, curvature: curvature) : nil
        if estimatesVariance && varianceInference == nil {
            self.diagnostics.append(.varianceStandardErrorsUnavailable)
        }
    }

    /// What the design itself reports: dropped columns, its notes, Stata's default covariances.
    static func designDiagnostics(_ design: ModelDesign) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = design.droppedColumns.isEmpty ? [] : [.droppedColumns(design.droppedColumns)]
        diagnostics += design.notes.map { Diagnostic.design($0) }
        for term in design.randomTerms where term.covarianceIsDefault {
            diagnostics.append(.covarianceDefault(group: term.groupName, structure: term.covariance))
        }
        return diagnostics
    }

    /// σ² λ (L_j L_j')⁻¹ λ' for one group of the only term.
    static func conditionalCovariance(_ l11: [Double], block: Int, lambda: [Double], q: Int, sigma2: Double) -> [Double] {
        // Solve L_j W = λ' (W = L⁻¹ λ'), then result = σ² W' W.
        var w = [Double](repeating: 0, count: q * q)
        for column in 0..<q {
            for i in 0..<q {
                var s = lambda[column + i * q]
                for k in 0..<i { s -= l11[block + i + k * q] * w[k + column * q] }
                w[i + column * q] = s / l11[block + i + i * q]
            }
        }
        var result = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q {
            var s = 0.0
            for k in 0..<q { s += w[k + a * q] * w[k + b * q] }
            result[a + b * q] = sigma2 * s
        } }
        return result
    }

    static func component(_ term: RandomEffectsDesign, lambda: [Double], sigma2: Double, structure: CovarianceStructure) -> VarianceComponent {
        let q = term.termCount
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        for a in 0..<q { for b in 0..<q {
            var s = 0.0
            for k in 0..<q { s += lambda[a + k * q] * lambda[b + k * q] }
            matrix[a][b] = sigma2 * s
        } }
        let sd = (0..<q).map { matrix[$0][$0].squareRoot() }
        let correlation = (0..<q).map { a in (0..<q).map { b in
            a == b ? 1 : (sd[a] > 0 && sd[b] > 0 ? matrix[a][b] / (sd[a] * sd[b]) : 0)
        } }
        return VarianceComponent(group: term.groupName, terms: term.termNames, covariance: structure, sd: sd,
                                 correlation: correlation, covarianceMatrix: matrix)
    }
}
