/// Derivatives by central differences.
enum FiniteDifferences {
    /// f's value, gradient and Hessian (column-major d×d) at x with step h, from 1 + 2d + d(d−1)
    /// evaluations: the axis points ±h eᵢ, and ±h(eᵢ + eⱼ) for each pair (error O(h²) throughout).
    /// `f` returns several functions at once; each gets its own derivatives from the same points.
    /// `center`, when given, is f(x) already known.
    static func secondOrder(
        _ f: ([Double]) -> [Double], at x: [Double], step h: Double, center: [Double]? = nil
    ) -> (values: [Double], gradients: [[Double]], hessians: [[Double]]) {
        let f0 = center ?? f(x)
        return combine(stencil(at: x, step: h).map(f), center: f0, step: h)
    }

    /// The points of ``secondOrder``'s stencil, in the order ``combine(_:center:step:)`` reads them: x + h eᵢ,
    /// x − h eᵢ, then x ± h(eᵢ + eⱼ) for i > j. Callers may evaluate them in any order, or on several threads.
    static func stencil(at x: [Double], step h: Double) -> [[Double]] {
        let d = x.count
        func shifted(_ steps: [(Int, Double)]) -> [Double] {
            var point = x
            for (i, sign) in steps { point[i] += sign * h }
            return point
        }
        var points = (0..<d).map { shifted([($0, 1)]) } + (0..<d).map { shifted([($0, -1)]) }
        for i in 0..<d {
            for j in 0..<i { points += [shifted([(i, 1), (j, 1)]), shifted([(i, -1), (j, -1)])] }
        }
        return points
    }

    /// The value, gradients and Hessians from f at the ``stencil(at:step:)``'s points and at x (`center`).
    static func combine(_ values: [[Double]], center f0: [Double], step h: Double) -> (values: [Double], gradients: [[Double]], hessians: [[Double]]) {
        let outputs = f0.count
        var d = 0
        while 2 * d + d * (d - 1) < values.count { d += 1 }
        let plus = Array(values[0..<d]), minus = Array(values[d..<(2 * d)])
        var gradients = [[Double]](repeating: [Double](repeating: 0, count: d), count: outputs)
        var hessians = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: outputs)
        for k in 0..<outputs {
            for i in 0..<d {
                gradients[k][i] = (plus[i][k] - minus[i][k]) / (2 * h)
                hessians[k][i + i * d] = (plus[i][k] - 2 * f0[k] + minus[i][k]) / (h * h)
            }
        }
        var next = 2 * d
        for i in 0..<d {
            for j in 0..<i {
                let both = values[next], neither = values[next + 1]
                next += 2
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
