import Foundation

extension LaplaceDeviance {
    /// Adaptive Gauss–Hermite quadrature for one scalar term (lme4's nAGQ > 1): per group j, with û its mode
    /// and s = 1/L_jj, −2 log ∫ ≈ 2 log L_jj − 2 log Σₖ wₖ exp(−½[g(û + s zₖ) − zₖ²]), g(u) = −2 log p(y_j | u) + u².
    func quadrature(system: WeightedSystem, u: [Double], eta: [Double], rows: RowValues) -> Double {
        var total = 0.0
        for (g, members) in rowsByGroup.enumerated() where !members.isEmpty {
            let pivot = system.pivot(group: g), s = 1 / pivot
            var terms: [Double] = []
            for (z, w) in zip(nodes.nodes, nodes.weights) {
                let value = u[g] + s * z
                var deviance = value * value
                for i in members {
                    let shifted = eta[i] + rows.first[i] * rows.scales[0] * (value - u[g])
                    deviance += family.variablePart(y[i], family.mean(shifted), trials: trials[i])
                }
                terms.append(log(w) - (deviance - z * z) / 2)
            }
            let largest = terms.max() ?? 0
            let sum = terms.reduce(0) { $0 + exp($1 - largest) }
            total += 2 * log(pivot) - 2 * (largest + log(sum))
        }
        return total + constantSum
    }
}
