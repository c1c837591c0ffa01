/// Gauss–Hermite points and weights for the standard normal density (Σ w = 1), by Golub and Welsch:
/// the eigenvalues of the Jacobi matrix of the probabilists' Hermite polynomials, and the squared first
/// components of its eigenvectors.
public struct GaussHermite: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(points: Int) {
        guard points > 1 else { nodes = [0]; weights = [1]; return }
        var jacobi = [Double](repeating: 0, count: points * points)
        for k in 1..<points {
            let value = Double(k).squareRoot()
            jacobi[k + (k - 1) * points] = value
            jacobi[(k - 1) + k * points] = value
        }
        let (values, vectors) = SymmetricEigen.decompose(jacobi, n: points)
        nodes = values
        weights = (0..<points).map { vectors[0 + $0 * points] * vectors[0 + $0 * points] }
    }
}
