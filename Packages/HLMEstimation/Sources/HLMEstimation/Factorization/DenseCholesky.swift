import _COpenBLAS

/// Dense Cholesky factorisation and products through LAPACK/BLAS, on column-major storage.
enum DenseCholesky {
    /// Factors the n×n symmetric matrix in `a` (lower triangle used) in place: A = L L'.
    /// Returns false when A is not positive definite.
    static func factor(_ a: inout [Double], n: Int) -> Bool {
        guard n > 0 else { return true }
        if n <= 4 {
            guard SmallCholesky.factor(&a, n: n) else { return false }
            for j in 0..<n { for i in 0..<j { a[i + j * n] = 0 } }
            return true
        }
        var uplo: CChar = 76  // "L"
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        a.withUnsafeMutableBufferPointer { dpotrf_(&uplo, &size, $0.baseAddress, &lda, &info) }
        return info == 0
    }

    /// Replaces a Cholesky factor L (lower triangle) by the full symmetric inverse (L L')⁻¹.
    static func invertFromFactor(_ a: inout [Double], n: Int) -> Bool {
        guard n > 0 else { return true }
        if n <= 4 { return a.withUnsafeMutableBufferPointer { SmallCholesky.invertFromFactor($0.baseAddress!, n: n) } }
        var uplo: CChar = 76
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        a.withUnsafeMutableBufferPointer { dpotri_(&uplo, &size, $0.baseAddress, &lda, &info) }
        guard info == 0 else { return false }
        for j in 0..<n { for i in 0..<j { a[i + j * n] = a[j + i * n] } }
        return true
    }

    /// The inverse of a symmetric positive-definite matrix; nil when it is not positive definite.
    static func symmetricInverse(_ a: [Double], n: Int) -> [Double]? {
        var m = a
        guard factor(&m, n: n), invertFromFactor(&m, n: n) else { return nil }
        return m
    }
}

/// Cholesky of tiny blocks (the per-group q×q blocks), inline: no call overhead.
enum SmallCholesky {
    /// In place, lower triangle, column-major n×n. False when not positive definite.
    @inline(__always)
    static func factor(_ a: inout [Double], n: Int) -> Bool {
        a.withUnsafeMutableBufferPointer { factor($0.baseAddress!, n: n) }
    }

    @inline(__always)
    static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            var d = a[j + j * n]
            for k in 0..<j { d -= a[j + k * n] * a[j + k * n] }
            guard d > 0 else { return false }
            let l = d.squareRoot()
            a[j + j * n] = l
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i + j * n]
                for k in 0..<j { s -= a[i + k * n] * a[j + k * n] }
                a[i + j * n] = s / l
            }
        }
        return true
    }

    /// Replaces a factor L (lower triangle, nonzero diagonal) by the full symmetric (L L')⁻¹ = L⁻ᵀ L⁻¹,
    /// inline (per-group blocks: LAPACK's call costs more than the arithmetic). False on a zero pivot.
    @inline(__always)
    static func invertFromFactor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        // L⁻¹ in place, column by column: the diagonal inverted, then below it forward substitution.
        for j in 0..<n {
            guard a[j + j * n] != 0 else { return false }
            a[j + j * n] = 1 / a[j + j * n]
        }
        for j in 0..<n {
            for i in (j + 1)..<max(j + 1, n) {
                var s = 0.0
                for k in j..<i { s += a[i + k * n] * a[k + j * n] }
                a[i + j * n] = -s * a[i + i * n]
            }
        }
        // (L⁻¹)' L⁻¹: entry (i, j), i ≥ j, is Σ_{k ≥ i} M[k, i] M[k, j]; the lower triangle is written in
        // an order that reads only entries not yet replaced (column j from the top, rows k ≥ i ≥ j).
        for j in 0..<n {
            for i in j..<n {
                var s = 0.0
                for k in i..<n { s += a[k + i * n] * a[k + j * n] }
                a[i + j * n] = s
            }
        }
        for j in 0..<n { for i in 0..<j { a[i + j * n] = a[j + i * n] } }
        return true
    }
}
