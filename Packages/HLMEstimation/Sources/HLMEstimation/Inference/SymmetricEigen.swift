import _COpenBLAS

/// Eigenvalues and eigenvectors of a small symmetric matrix (LAPACK's dsyev).
enum SymmetricEigen {
    /// Eigenvalues ascending and the eigenvectors as columns (n×n column-major); zeros when LAPACK fails.
    static func decompose(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        var a = matrix, w = [Double](repeating: 0, count: n)
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork = Int32(max(1, 3 * n - 1) + 64)
        var work = [Double](repeating: 0, count: Int(lwork))
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
        dsyev_(&jobz, &uplo, &size, &a, &lda, &w, &work, &lwork, &info)
        guard info == 0 else { return ([Double](repeating: 0, count: n), [Double](repeating: 0, count: n * n)) }
        return (w, a)
    }
}
