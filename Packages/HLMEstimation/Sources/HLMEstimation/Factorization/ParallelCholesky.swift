import _COpenBLAS

/// The lower Cholesky factor of a dense symmetric positive-definite matrix on two threads:
/// right-looking, a block of columns at a time. The panel's triangular solve and the trailing update
/// are each split between the threads (the update by columns, in halves of equal work), every piece
/// a single-threaded BLAS call.
enum ParallelCholesky {
    /// Columns per block (measured on the crossed benchmark: 64 to 128 within noise of each other, 256 slower).
    static let blockSize = 96

    /// Factors the n×n matrix at `a` (leading dimension n, lower triangle) in place; false when it is
    /// not positive definite.
    static func factor(_ a: UnsafeMutablePointer<Double>, n: Int, threads: SecondThread) -> Bool {
        var lda = Int32(n)
        var k = 0
        while k < n {
            let kb = min(blockSize, n - k)
            var size = Int32(kb), info: Int32 = 0
            var uplo: CChar = 76  // "L"
            dpotrf_(&uplo, &size, a + k + k * n, &lda, &info)
            guard info == 0 else { return false }
            let m = n - k - kb
            if m > 0 {
                nonisolated(unsafe) let diagonal = a + k + k * n, panel = a + (k + kb) + k * n, trailing = a + (k + kb) + (k + kb) * n
                let ld = lda
                // Panel ← panel L₁₁⁻ᵀ, rows split in two.
                threads.run { half in
                    let first = half == 0 ? 0 : m / 2, rows = half == 0 ? m / 2 : m - m / 2
                    guard rows > 0 else { return }
                    var side: CChar = 82, lower: CChar = 76, transposed: CChar = 84, nonUnit: CChar = 78  // R L T N
                    var rowCount = Int32(rows), columns = Int32(kb), one = 1.0, leading = ld
                    dtrsm_(&side, &lower, &transposed, &nonUnit, &rowCount, &columns, &one, diagonal, &leading, panel + first, &leading)
                }
                // Trailing ← trailing − panel panel' (lower): columns [0, c) and [c, m) hold equal work
                // (c²/2 + (m−c)c against (m−c)²/2 at c = m(1 − 1/√2)).
                let c = Swift.max(1, Swift.min(m - 1, Int(Double(m) * (1 - 0.5.squareRoot()))))
                threads.run { half in
                    var lower: CChar = 76, notTransposed: CChar = 78, transposed: CChar = 84
                    var minusOne = -1.0, one = 1.0, inner = Int32(kb), leading = ld
                    if half == 0 {
                        var width = Int32(c)
                        dsyrk_(&lower, &notTransposed, &width, &inner, &minusOne, panel, &leading, &one, trailing, &leading)
                        if m - c > 0 {
                            var below = Int32(m - c)
                            dgemm_(&notTransposed, &transposed, &below, &width, &inner, &minusOne, panel + c, &leading,
                                   panel, &leading, &one, trailing + c, &leading)
                        }
                    } else if m - c > 0 {
                        var width = Int32(m - c)
                        dsyrk_(&lower, &notTransposed, &width, &inner, &minusOne, panel + c, &leading, &one,
                               trailing + c + c * Int(leading), &leading)
                    }
                }
            }
            k += kb
        }
        return true
    }
}
