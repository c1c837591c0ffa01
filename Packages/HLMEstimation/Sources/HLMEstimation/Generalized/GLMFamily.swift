import Foundation
import HLMFormula

/// The link between the mean μ and the linear predictor η = g(μ).
public enum LinkFunction: String, Sendable, Codable, CaseIterable {
    case logit, probit, cloglog, log, identity

    /// The canonical link of a family: logit for binomial, log for Poisson.
    public static func canonical(_ family: ResponseFamily) -> LinkFunction {
        switch family {
        case .binomial: .logit
        case .poisson: .log
        case .gaussian: .identity
        }
    }
}

/// A family and link as R's `binomial()` and `poisson()`: the inverse link, its derivative, the variance
/// function and −2 log p(y | μ) (with the binomial coefficient and Poisson's y!, as `glm`'s log-likelihood).
public struct GLMFamily: Sendable, Equatable {
    public let family: ResponseFamily
    public let link: LinkFunction

    public init(_ family: ResponseFamily, link: LinkFunction? = nil) {
        self.family = family
        self.link = link ?? .canonical(family)
    }

    /// Whether the link makes sense for the family (R's families allow these).
    public var isValid: Bool {
        switch family {
        case .binomial: [.logit, .probit, .cloglog].contains(link)
        case .poisson: [.log, .identity].contains(link)
        case .gaussian: link == .identity
        }
    }

    /// μ = g⁻¹(η), kept inside the family's range as R keeps it.
    @inline(__always)
    func mean(_ eta: Double) -> Double {
        switch link {
        case .logit:
            let t = eta < -30 ? Double.ulpOfOne : (eta > 30 ? 1 / Double.ulpOfOne : exp(eta))
            return t / (1 + t)
        case .probit:
            let threshold = -Distributions.normalQuantile(Double.ulpOfOne)
            return Distributions.normalCDF(min(max(eta, -threshold), threshold))
        case .cloglog:
            return max(min(-expm1(-exp(eta)), 1 - Double.ulpOfOne), Double.ulpOfOne)
        case .log:
            return max(exp(eta), Double.ulpOfOne)
        case .identity:
            return eta
        }
    }

    /// dμ/dη.
    @inline(__always)
    func meanDerivative(_ eta: Double) -> Double {
        switch link {
        case .logit:
            let opexp = 1 + exp(eta)
            return eta > 30 || eta < -30 ? Double.ulpOfOne : exp(eta) / (opexp * opexp)
        case .probit:
            return max(exp(-eta * eta / 2) / (2 * Double.pi).squareRoot(), Double.ulpOfOne)
        case .cloglog:
            let e = min(eta, 700)
            return max(exp(e) * exp(-exp(e)), Double.ulpOfOne)
        case .log:
            return max(exp(eta), Double.ulpOfOne)
        case .identity:
            return 1
        }
    }

    /// μ, dμ/dη and the IRLS weight (dμ/dη)²/V(μ) at η, with one exponential for the logit and log links.
    @inline(__always)
    func meanDerivativeWeight(_ eta: Double) -> (mu: Double, derivative: Double, weight: Double) {
        switch link {
        case .logit where eta > -30 && eta < 30:
            let e = exp(eta), mu = e / (1 + e), d = mu / (1 + e)
            return (mu, d, d)  // (dμ/dη)² / (μ(1 − μ)) = μ(1 − μ) = dμ/dη
        case .log where family == .poisson:
            let mu = max(exp(eta), Double.ulpOfOne)
            return (mu, mu, mu)
        default:
            let mu = mean(eta), d = meanDerivative(eta)
            return (mu, d, d * d / max(variance(mu), 1e-300))
        }
    }

    /// What one PIRLS row needs at η, with one exponential and one logarithm for the canonical links:
    /// ``variablePart`` (−2 log p(y | η) less its constant), the IRLS weight (dμ/dη)²/V(μ) and the working
    /// residual (y − μ)/(dμ/dη). For the logit, t = e^(−|η|) gives μ, 1 − μ and log(1 + e^η) = max(η, 0) +
    /// log1p(t), log1p(t) from log(1 + t) and its rounding error (within an ulp of `log1p`, twice as fast).
    @inline(__always)
    func rowParts(_ y: Double, eta: Double, trials: Double) -> (variable: Double, weight: Double, residual: Double) {
        switch link {
        case .logit where eta > -30 && eta < 30:
            let t = exp(-abs(eta)), u = 1 + t, inverse = 1 / u
            let mu = eta >= 0 ? inverse : t * inverse, d = t * inverse * inverse
            let softplus = max(eta, 0) + (log(u) - ((u - 1) - t) * inverse)
            return (-2 * trials * (y * eta - softplus), d, (y - mu) / d)
        case .log where family == .poisson && eta > -700 && eta < 700:
            let e = exp(eta), mu = max(e, Double.ulpOfOne)
            return (-2 * ((y > 0 ? y * eta : 0) - e), mu, (y - mu) / mu)
        default:
            let (mu, d, weight) = meanDerivativeWeight(eta)
            return (variablePart(y, eta: eta, trials: trials), weight, (y - mu) / d)
        }
    }

    /// ``rowParts(_:eta:trials:)`` for `count` rows at once (weights with their trials): for the logit and
    /// log links the exponentials, then the logarithms, each a loop of its own over the block
    /// (``ElementaryBlocks``: no calls, two values per instruction).
    func rowParts(count: Int, y: UnsafePointer<Double>, trials: UnsafePointer<Double>, eta: UnsafePointer<Double>,
                  variable: UnsafeMutablePointer<Double>, weight: UnsafeMutablePointer<Double>, residual: UnsafeMutablePointer<Double>) {
        switch link {
        case .logit:
            // e^−|η| (rows with |η| ≥ 30 are done again row by row below), then log(1 + e^−|η|).
            for j in 0..<count { residual[j] = -min(abs(eta[j]), 30) }
            ElementaryBlocks.exp(residual, into: weight, count: count)
            for j in 0..<count { residual[j] = 1 + weight[j] }
            ElementaryBlocks.logOneToTwo(residual, into: variable, count: count)
            // Every row as if |η| < 30, without branches (two rows per instruction), then the others again.
            for j in 0..<count {
                let e = eta[j], m = trials[j]
                let t = weight[j], u = 1 + t, inverse = 1 / u
                let mu = e >= 0 ? inverse : t * inverse, d = t * inverse * inverse
                let softplus = max(e, 0) + (variable[j] - ((u - 1) - t) * inverse)
                variable[j] = -2 * m * (y[j] * e - softplus)
                weight[j] = m * d
                residual[j] = (y[j] - mu) / d
            }
            for j in 0..<count where !(eta[j] > -30 && eta[j] < 30) {
                let parts = rowParts(y[j], eta: eta[j], trials: trials[j])
                (variable[j], weight[j], residual[j]) = (parts.variable, trials[j] * parts.weight, parts.residual)
            }
        case .log where family == .poisson:
            // Rows with |η| ≥ 700 are done again row by row below.
            for j in 0..<count { residual[j] = min(max(eta[j], -700), 700) }
            ElementaryBlocks.exp(residual, into: weight, count: count)
            for j in 0..<count {
                let e = eta[j], mu = max(weight[j], Double.ulpOfOne)
                variable[j] = -2 * ((y[j] > 0 ? y[j] * e : 0) - weight[j])
                weight[j] = trials[j] * mu
                residual[j] = (y[j] - mu) / mu
            }
            for j in 0..<count where !(eta[j] > -700 && eta[j] < 700) {
                let parts = rowParts(y[j], eta: eta[j], trials: trials[j])
                (variable[j], weight[j], residual[j]) = (parts.variable, trials[j] * parts.weight, parts.residual)
            }
        default:
            for j in 0..<count {
                let parts = rowParts(y[j], eta: eta[j], trials: trials[j])
                (variable[j], weight[j], residual[j]) = (parts.variable, trials[j] * parts.weight, parts.residual)
            }
        }
    }

    /// V(μ).
    @inline(__always)
    func variance(_ mu: Double) -> Double {
        switch family {
        case .binomial: mu * (1 - mu)
        case .poisson: mu
        case .gaussian: 1
        }
    }

    /// −2 log p(y | μ) for a row with `trials` (binomial: y the proportion of successes; Poisson: the count).
    @inline(__always)
    func minusTwoLogDensity(_ y: Double, _ mu: Double, trials: Double) -> Double {
        variablePart(y, mu, trials: trials) + constantPart(y, trials: trials)
    }

    /// The part of −2 log p(y | μ) that does not depend on μ: −2 log C(m, s) (binomial), 2 log y! (Poisson).
    func constantPart(_ y: Double, trials: Double) -> Double {
        switch family {
        case .binomial: -2 * Self.logChoose(trials, y * trials)
        case .poisson: 2 * lgamma(y + 1)
        case .gaussian: 0
        }
    }

    /// −2 log p(y | μ) less ``constantPart``: what changes with μ, fast (no log-gamma).
    @inline(__always)
    func variablePart(_ y: Double, _ mu: Double, trials: Double) -> Double {
        switch family {
        case .binomial:
            let s = y * trials, f = trials - s
            var value = 0.0
            if s > 0 { value += s * log(mu) }
            if f > 0 { value += f * log1p(-mu) }
            return -2 * value
        case .poisson:
            return -2 * ((y > 0 ? y * log(mu) : 0) - mu)
        case .gaussian:
            return (y - mu) * (y - mu)
        }
    }

    /// ``variablePart`` at μ = g⁻¹(η), from η directly where that saves a logarithm: for the logit,
    /// −2[s η − m log(1 + e^η)]; for Poisson's log link, −2[y η − e^η].
    @inline(__always)
    func variablePart(_ y: Double, eta: Double, trials: Double) -> Double {
        switch link {
        case .logit where eta > -30 && eta < 30:
            let softplus = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
            return -2 * (y * trials * eta - trials * softplus)
        case .log where family == .poisson && eta > -700 && eta < 700:
            return -2 * ((y > 0 ? y * eta : 0) - exp(eta))
        default:
            return variablePart(y, mean(eta), trials: trials)
        }
    }

    /// log C(n, k) for real n ≥ k ≥ 0 (rounded counts).
    static func logChoose(_ n: Double, _ k: Double) -> Double {
        let n = n.rounded(), k = k.rounded()
        guard k > 0, k < n else { return 0 }
        return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
    }

    /// A start for μ from y, as R's `mustart`: (m y + ½)/(m + 1) for binomial, y + 0.1 for Poisson.
    func startingMean(_ y: Double, trials: Double) -> Double {
        switch family {
        case .binomial: (trials * y + 0.5) / (trials + 1)
        case .poisson: y + 0.1
        case .gaussian: y
        }
    }

    /// g(μ).
    func linkValue(_ mu: Double) -> Double {
        switch link {
        case .logit: log(mu / (1 - mu))
        case .probit: Distributions.normalQuantile(mu)
        case .cloglog: log(-log1p(-mu))
        case .log: log(mu)
        case .identity: mu
        }
    }
}
