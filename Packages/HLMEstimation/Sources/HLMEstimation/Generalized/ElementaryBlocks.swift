/// e^x and log u over blocks of values, without branches or calls, so that the compiler works on two
/// (or more) values per instruction: the GLMM passes spend a third of their time in the C library's
/// scalar `exp` and `log`. The algorithms are fdlibm's (Sun's `e_exp.c` and `e_log.c`, which glibc's
/// older versions used), within one unit in the last place; the tests compare them with the C library's.
enum ElementaryBlocks {
    /// The largest |x| for which ``exp(_:into:count:)`` is defined: e^x stays a normal number.
    static let expLimit = 708.0

    // ln 2 in two parts: the first with trailing zeros, so that k · ln2High is exact for |k| < 2^11.
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let log2e = 1.44269504088896338700e+00
    /// 1.5 · 2^52: added to a value below 2^51 in size, it leaves that value rounded to an integer in
    /// the low bits of the sum.
    private static let roundingShift = 6_755_399_441_055_744.0

    /// result[i] = e^x[i] for |x[i]| ≤ ``expLimit`` (callers keep other values out).
    /// x = k ln 2 + r with |r| ≤ ln 2 / 2; e^r by fdlibm's rational form 1 + r + r c / (2 − c) with
    /// c = r − r²(P1 + r²(P2 + …)); times 2^k written into the exponent bits.
    static func exp(_ x: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>, count: Int) {
        let p1 = 1.66666666666666019037e-01, p2 = -2.77777777770155933842e-03, p3 = 6.61375632143793436117e-05
        let p4 = -1.65339022054652515390e-06, p5 = 4.13813679705723846039e-08
        for i in 0..<count {
            let v = x[i]
            let shifted = v * log2e + roundingShift
            let k = shifted - roundingShift
            let high = v - k * ln2High, low = k * ln2Low
            let r = high - low
            let t = r * r
            let c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
            let y = 1 - ((low - (r * c) / (2 - c)) - high)
            // 2^k: k + 1023 in the exponent field (the low bits of `shifted` hold k).
            let scale = Double(bitPattern: (shifted.bitPattern &+ 1023) << 52)
            result[i] = y * scale
        }
    }

    /// result[i] = log u[i] for 1 ≤ u[i] ≤ 2 (the logit's log(1 + e^−|η|)).
    /// u = 2^k (1 + f) with √2/2 < 1 + f < √2 (k = 0 or 1, f exact); log(1 + f) = 2 atanh s,
    /// s = f / (2 + f), by fdlibm's polynomial in s².
    static func logOneToTwo(_ u: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>, count: Int) {
        let lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01
        let lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01
        let lg7 = 1.479819860511658591e-01
        let sqrt2 = 1.41421356237309504880
        for i in 0..<count {
            let v = u[i]
            let upper = v > sqrt2
            let k = upper ? 1.0 : 0.0
            let f = (upper ? v * 0.5 : v) - 1
            let s = f / (2 + f)
            let z = s * s, w = z * z
            let t1 = w * (lg2 + w * (lg4 + w * lg6))
            let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
            let r = t2 + t1
            let halfSquare = 0.5 * f * f
            result[i] = k * ln2High - ((halfSquare - (s * (halfSquare + r) + k * ln2Low)) - f)
        }
    }
}
