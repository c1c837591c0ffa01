import Foundation
import Testing
@testable import HLMEstimation

/// The block exponential and logarithm against the C library's, in units in the last place.
struct ElementaryBlocksTests {
    /// |a − b| in units of b's last place.
    static func ulps(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / b.ulp
    }

    /// Deterministic values spread over [low, high], with the ends and zero's neighbourhood included.
    static func values(_ count: Int, _ low: Double, _ high: Double, seed: UInt64) -> [Double] {
        var state = seed
        var result = [low, high, min(max(0, low), high), min(max(-1e-300, low), high)]
        while result.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            result.append(low + (high - low) * Double(state >> 11) / Double(1 << 53))
        }
        return result
    }

    @Test func exponentialIsWithinOneUlp() {
        for (low, high) in [(-30.0, 0.0), (-1.0, 1.0), (-ElementaryBlocks.expLimit, ElementaryBlocks.expLimit), (-1e-8, 1e-8)] {
            let x = Self.values(200_000, low, high, seed: 11)
            var y = [Double](repeating: 0, count: x.count)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { ElementaryBlocks.exp(x.baseAddress!, into: $0.baseAddress!, count: x.count) }
            }
            var worst = 0.0, exact = 0
            for i in x.indices {
                let error = Self.ulps(y[i], Foundation.exp(x[i]))
                worst = max(worst, error)
                if error == 0 { exact += 1 }
            }
            #expect(worst <= 1, "e^x on [\(low), \(high)]: \(worst) ulp")
            // fdlibm is not correctly rounded, glibc's nearly always is: about nine in ten agree exactly.
            #expect(Double(exact) > 0.85 * Double(x.count), "e^x on [\(low), \(high)]: \(exact) of \(x.count) identical")
        }
    }

    @Test func logarithmIsWithinOneUlp() {
        let u = Self.values(200_000, 1, 2, seed: 12) + [1 + 1e-16, 1 + 2.2e-16, 1.41421356237309492, 1.41421356237309515, 2]
        var y = [Double](repeating: 0, count: u.count)
        u.withUnsafeBufferPointer { u in
            y.withUnsafeMutableBufferPointer { ElementaryBlocks.logOneToTwo(u.baseAddress!, into: $0.baseAddress!, count: u.count) }
        }
        var worst = 0.0, exact = 0
        for i in u.indices {
            let reference = Foundation.log(u[i])
            // log 1 = 0: compare absolutely there.
            let error = reference == 0 ? abs(y[i]) / Double.leastNonzeroMagnitude.ulp : Self.ulps(y[i], reference)
            worst = max(worst, error)
            if error == 0 { exact += 1 }
        }
        #expect(worst <= 1, "log u on [1, 2]: \(worst) ulp")
        #expect(Double(exact) > 0.85 * Double(u.count), "log u on [1, 2]: \(exact) of \(u.count) identical")
    }
}
