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
