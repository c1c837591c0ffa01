import Foundation

/// After the optimiser stops: the gradient by central differences must be small (one-sided at a bound,
/// where only a gradient pointing into the domain matters).
enum ConvergenceCheck {
    /// `value`: the criterion at θ when the caller knows it (the optimiser's final value), saving an evaluation.
    /// Leaves the factor at the last point tried.
    static func check(deviance: ProfiledDeviance, theta: [Double], value: Double? = nil, lower: [Double], upper: [Double]) -> Diagnostic? {
        let f0 = value ?? deviance.evaluate(theta)
        var worst = 0.0
        var worstIndex = 0
        for i in theta.indices {
            let h = 1e-5 * max(1, abs(theta[i]))
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            let gradient: Double
            if minus[i] < lower[i] {
                gradient = min(0, (deviance.evaluate(plus) - f0) / h)
            } else if plus[i] > upper[i] {
                gradient = max(0, (f0 - deviance.evaluate(minus)) / h)
            } else {
                gradient = (deviance.evaluate(plus) - deviance.evaluate(minus)) / (2 * h)
            }
            if gradient.isFinite, abs(gradient) > worst {
                worst = abs(gradient)
                worstIndex = i
            }
        }
        return verdict(worst: worst, index: worstIndex, objective: f0)
    }

    /// The verdict on a gradient in θ found otherwise (from the curvature's stencil).
    static func verdict(gradient: [Double], objective: Double) -> Diagnostic? {
        guard let index = gradient.indices.max(by: { abs(gradient[$0]) < abs(gradient[$1]) }) else { return nil }
        return verdict(worst: abs(gradient[index]), index: index, objective: objective)
    }

    /// Relative to the objective's size (1e-5 of it), in the spirit of lme4's scaled-gradient check.
    private static func verdict(worst: Double, index: Int, objective: Double) -> Diagnostic? {
        worst > 1e-5 * max(1, abs(objective)) ? .gradientNotSmall(magnitude: worst, parameter: index) : nil
    }
}
