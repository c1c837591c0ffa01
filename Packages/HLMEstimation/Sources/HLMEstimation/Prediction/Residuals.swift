import HLMFormula

/// One row's fitted value and residual, conditional on the random effects and marginal (fixed part only).
public struct FittedRow: Sendable, Codable, Equatable {
    public var fitted: Double
    public var residual: Double
    public var fittedMarginal: Double
    public var residualMarginal: Double
}

extension LinearMixedModel {
    /// Per row used, in the design's order: lme4's `fitted()`/`residuals()` and the marginal ones
    /// (`predict(re.form = NA)`). Offsets are included; with prior weights, on the response's own scale.
    public func fittedRows() -> [FittedRow] {
        let n = design.observationCount, p = beta.count
        let root = design.weights?.map { $0.squareRoot() }
        var rows = [FittedRow]()
        rows.reserveCapacity(n)
        let x = design.x.values
        var marginal = [Double](repeating: 0, count: n)
        for a in 0..<p {
            let b = beta[a], offset = a * n
            for i in 0..<n { marginal[i] += x[offset + i] * b }
        }
        var conditional = marginal
        for (k, term) in design.randomTerms.enumerated() {
            let q = term.termCount
            let modes = conditionalModes[k].flatMap { $0 }
            term.z.values.withUnsafeBufferPointer { z in
                term.codes.withUnsafeBufferPointer { codes in
                    modes.withUnsafeBufferPointer { modes in
                        conditional.withUnsafeMutableBufferPointer { conditional in
                            for a in 0..<q {
                                let column = z.baseAddress! + a * n
                                for i in 0..<n { conditional[i] += column[i] * modes[Int(codes[i]) * q + a] }
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<n {
            let scale = root?[i] ?? 1, shift = design.offset?[i] ?? 0
            let y = design.y[i] / scale + shift
            let fitted = conditional[i] / scale + shift, fittedMarginal = marginal[i] / scale + shift
            rows.append(FittedRow(fitted: fitted, residual: y - fitted, fittedMarginal: fittedMarginal, residualMarginal: y - fittedMarginal))
        }
        return rows
    }
}
