/// Derivatives by central differences.
enum FiniteDifferences {
    /// f's value, gradient and Hessian (column-major d×d) at x with step h, from 1 + 2d + d(d−1)
    /// evaluations: the axis points ±h eᵢ, and ±h(eᵢ + eⱼ) for each pair (error O(h²) throughout).
    /// `f` returns several functions at once; each gets its own derivatives from the same points.
    /// `center`, when given, is f(x) already known.
    static func secondOrder(
        _ f: ([Double]) -> [Double], at x: [Double], step h: Double, center: [Double]? = nil
    ) -> (values: [Double], gradients: [[Double]], hessians: [[Double]]) {
        let d = x.count
        let f0 = center ?? f(x), outputs = f0.count
        func shifted(_ steps: [(Int, Double)]) -> [Double] {
            var point = x
            for (i, sign) in steps { point[i] += sign * h }
            return f(point)
        }
        let plus = (0..<d).map { shifted([($0, 1)]) }, minus = (0..<d).map { shifted([($0, -1)]) }
        var gradients = [[Double]](repeating: [Double](repeating: 0, count: d), count: outputs)
        var hessians = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: outputs)
        for k in 0..<outputs {
            for i in 0..<d {
                gradients[k][i] = (plus[i][k] - minus[i][k]) / (2 * h)
                hessians[k][i + i * d] = (plus[i][k] - 2 * f0[k] + minus[i][k]) / (h * h)
            }
        }
        for i in 0..<d {
            for j in 0..<i {
                let both = shifted([(i, 1), (j, 1)]), neither = shifted([(i, -1), (j, -1)])
                for k in 0..<outputs {
                    // f(+i+j) + f(−i−j) − f(±i) − f(±j) + 2 f₀ = 2h² ∂ᵢ∂ⱼf + O(h⁴).
                    let value = (both[k] + neither[k] - plus[i][k] - minus[i][k] - plus[j][k] - minus[j][k] + 2 * f0[k]) / (2 * h * h)
                    hessians[k][i + j * d] = value
                    hessians[k][j + i * d] = value
                }
            }
        }
        return (f0, gradients, hessians)
    }
}
