import HLMFormula

/// One row's fitted value and residual, conditional on the random effects and marginal (fixed part only).
public struct FittedRow: Sendable, Codable, Equatable {
    public var fitted: Double
    public var residual: Double
    public var fittedMarginal: Double
    public var residualMarginal: Double
}

/// Every row's fitted values and residuals as columns (the residuals file's, without a row's struct).
public struct FittedColumns: Sendable, Equatable {
    public var fitted: [Double]
    public var residual: [Double]
    public var fittedMarginal: [Double]
    public var residualMarginal: [Double]

    public init(fitted: [Double], residual: [Double], fittedMarginal: [Double], residualMarginal: [Double]) {
        (self.fitted, self.residual, self.fittedMarginal, self.residualMarginal) = (fitted, residual, fittedMarginal, residualMarginal)
    }

    /// The columns as rows.
    public var rows: [FittedRow] {
        fitted.indices.map { FittedRow(fitted: fitted[$0], residual: residual[$0], fittedMarginal: fittedMarginal[$0], residualMarginal: residualMarginal[$0]) }
    }
}

extension LinearMixedModel {
    /// Per row used, in the design's order: lme4's `fitted()`/`residuals()` and the marginal ones
    /// (`predict(re.form = NA)`). Offsets are included; with prior weights, on the response's own scale.
    public func fittedRows() -> [FittedRow] { fittedColumns().rows }

    /// ``fittedRows()`` as columns.
    public func fittedColumns() -> FittedColumns {
        let n = design.observationCount, p = beta.count
        let root = design.weights?.map { $0.squareRoot() }
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
        let y = design.y
        guard design.weights != nil || design.offset != nil else {
            return FittedColumns(fitted: conditional, residual: (0..<n).map { y[$0] - conditional[$0] },
                                 fittedMarginal: marginal, residualMarginal: (0..<n).map { y[$0] - marginal[$0] })
        }
        var columns = FittedColumns(fitted: conditional, residual: y, fittedMarginal: marginal, residualMarginal: y)
        for i in 0..<n {
            let scale = root?[i] ?? 1, shift = design.offset?[i] ?? 0
            let response = y[i] / scale + shift
            columns.fitted[i] = conditional[i] / scale + shift
            columns.fittedMarginal[i] = marginal[i] / scale + shift
            columns.residual[i] = response - columns.fitted[i]
            columns.residualMarginal[i] = response - columns.fittedMarginal[i]
        }
        return columns
    }
}
