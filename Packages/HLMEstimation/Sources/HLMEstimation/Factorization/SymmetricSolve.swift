import Foundation

/// Solves a small symmetric positive-definite system by Cholesky.
enum SymmetricSolve {
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = a
        guard DenseCholesky.factor(&l, n: n) else { return nil }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i + k * n] * y[k] }
            y[i] /= l[i + i * n]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(i + 1, n) { y[i] -= l[k + i * n] * y[k] }
            y[i] /= l[i + i * n]
        }
        return y
    }
}
