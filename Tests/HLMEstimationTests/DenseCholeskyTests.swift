import Foundation
@testable import HLMEstimation
import HLMTestSupport
import Testing
import _COpenBLAS

/// The inverse from a Cholesky factor: inline for the per-group blocks (n ≤ 4), LAPACK's dpotri above.
@Suite("Dense Cholesky")
struct DenseCholeskyTests {
    @Test("the inverse of a small block times the block is the identity", arguments: [1, 2, 3, 4, 5, 7])
    func inverseTimesMatrixIsIdentity(_ n: Int) throws {
        let a = TwoThreadKernelTests.spd(n, seed: UInt64(40 + n))
        let inverse = try #require(DenseCholesky.symmetricInverse(a, n: n))
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += inverse[i + k * n] * a[k + j * n] }
                worst = max(worst, abs(s - (i == j ? 1 : 0)))
            }
        }
        #expect(worst < 1e-13, "largest departure from I: \(worst)")
        for j in 0..<n { for i in 0..<j { #expect(inverse[i + j * n] == inverse[j + i * n]) } }
    }

    @Test func aMatrixThatIsNotPositiveDefiniteHasNoInverse() {
        #expect(DenseCholesky.symmetricInverse([1, 2, 2, 1], n: 2) == nil)
    }

    /// The inline inverse agrees with LAPACK's on the same factor.
    @Test("the inline inverse equals dpotri's", arguments: [2, 3, 4])
    func inlineEqualsLAPACK(_ n: Int) {
        var factor = TwoThreadKernelTests.spd(n, seed: UInt64(60 + n))
        #expect(DenseCholesky.factor(&factor, n: n))
        var inline = factor
        #expect(inline.withUnsafeMutableBufferPointer { SmallCholesky.invertFromFactor($0.baseAddress!, n: n) })
        var lapack = factor
        var uplo: CChar = 76, size = Int32(n), lda = Int32(n), info: Int32 = 0
        lapack.withUnsafeMutableBufferPointer { dpotri_(&uplo, &size, $0.baseAddress, &lda, &info) }
        #expect(info == 0)
        for j in 0..<n {
            for i in j..<n {
                #expect(abs(inline[i + j * n] - lapack[i + j * n]) <= 1e-14 * max(1, abs(lapack[i + j * n])), "(\(i), \(j))")
            }
        }
    }
}
