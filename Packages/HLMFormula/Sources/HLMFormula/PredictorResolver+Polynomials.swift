import Foundation

/// R's `poly(x, k)`: the orthogonal polynomials of the fit's rows, and the same polynomials at new values.
extension PredictorResolver {
    /// `poly(x, k)` over the rows in use, as R's `poly`: the powers of x − x̄ orthogonalised in turn
    /// (Gram–Schmidt, twice for accuracy) against the constant and the lower powers, each scaled to unit length.
    func orthogonalPolynomial(_ call: FunctionCall) throws(FormulaError) -> ResolvedPredictor {
        let x = Self.evaluateElementwise(call.argument, frame: frame, rows: rows)
        let degree = call.degree ?? 1
        if let constants = frozen?.constants[call.text] { return .numericColumns(name: call.text, columns: Self.polynomial(x, constants, call)) }
        let distinct = Set(x).count
        guard degree < distinct else {
            throw builder.fail("\(call.text): the degree must be less than the number of distinct values (\(distinct))",
                               name: call.argument.variables.first)
        }
        let n = Double(x.count), mean = x.reduce(0, +) / n
        let centred = x.map { $0 - mean }
        var basis: [[Double]] = [[Double](repeating: 1 / n.squareRoot(), count: x.count)]
        var columns: [(name: String, values: [Double])] = []
        // R's coefficients for new data: α_k = Σ x v²_{k−1} / ‖v_{k−1}‖², and the squared norms [1, n, ‖v₁‖², …].
        var alpha: [Double] = [mean], norms: [Double] = [1, n]
        for k in 1...degree {
            var v = centred.map { Foundation.pow($0, Double(k)) }
            for _ in 0..<2 {
                for b in basis {
                    let dot = zip(v, b).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in v.indices { v[i] -= dot * b[i] }
                }
            }
            let norm2 = v.reduce(0) { $0 + $1 * $1 }
            if k < degree { alpha.append(zip(centred, v).reduce(0) { $0 + $1.0 * $1.1 * $1.1 } / norm2 + mean) }
            norms.append(norm2)
            let norm = norm2.squareRoot()
            v = v.map { $0 / norm }
            basis.append(v)
            columns.append((call.text + String(k), v))
        }
        coding.constants[call.text] = [Double(degree)] + alpha + norms
        return .numericColumns(name: call.text, columns: columns)
    }

    /// `poly` at new values by R's three-term recurrence from the fit's coefficients.
    static func polynomial(_ x: [Double], _ constants: [Double], _ call: FunctionCall) -> [(name: String, values: [Double])] {
        let degree = Int(constants[0]), alpha = Array(constants[1...degree]), norms = Array(constants[(degree + 1)...])
        var previous = [Double](repeating: 1, count: x.count)
        var current = x.map { $0 - alpha[0] }
        var columns = [(call.text + "1", current.map { $0 / norms[2].squareRoot() })]
        if degree >= 2 {
            for i in 2...degree {
                let ratio = norms[i] / norms[i - 1]
                let next = x.indices.map { (x[$0] - alpha[i - 1]) * current[$0] - ratio * previous[$0] }
                previous = current
                current = next
                columns.append((call.text + String(i), current.map { $0 / norms[i + 1].squareRoot() }))
            }
        }
        return columns
    }
}
