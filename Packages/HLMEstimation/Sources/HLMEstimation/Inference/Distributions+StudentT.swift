import Foundation

extension Distributions {
    /// Two-sided p-value of a t statistic with `df` degrees of freedom (infinite df: the normal's).
    public static func twoSidedStudentP(_ t: Double, df: Double) -> Double {
        guard df.isFinite else { return twoSidedNormalP(t) }
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        return regularizedBeta(df / (df + t * t), df / 2, 0.5)
    }

    /// The t quantile: P(T ≤ x) = p, by bisection on the two-sided tail (to 1e-12 relative).
    public static func studentQuantile(_ p: Double, df: Double) -> Double {
        guard df.isFinite else { return normalQuantile(p) }
        guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
        if p < 0.5 { return -studentQuantile(1 - p, df: df) }
        let tail = 2 * (1 - p)
        var low = 0.0, high = max(1.0, 2 * normalQuantile(p))
        while twoSidedStudentP(high, df: df) > tail { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if twoSidedStudentP(mid, df: df) > tail { low = mid } else { high = mid }
            if high - low < 1e-13 * high { break }
        }
        return (low + high) / 2
    }

    /// P(F > x) for F ~ F(d1, d2).
    public static func fSurvival(_ x: Double, d1: Double, d2: Double) -> Double {
        guard x > 0 else { return 1 }
        guard d2.isFinite else { return chiSquareSurvival(x * d1, df: d1) }
        return regularizedBeta(d2 / (d2 + d1 * x), d2 / 2, d1 / 2)
    }

    /// I_x(a, b), the regularised incomplete beta function (continued fraction, Numerical Recipes 6.4).
    public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a, b) / a }
        return 1 - front * betaFraction(1 - x, b, a) / b
    }

    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 3e-16 { break }
        }
        return h
    }
}
