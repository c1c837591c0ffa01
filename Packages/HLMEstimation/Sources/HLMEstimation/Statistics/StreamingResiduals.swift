import HLMData
import HLMFormula

/// The second pass of `--streaming --residuals`: the data read again a block at a time, each row's
/// fitted values and residuals (as ``LinearMixedModel/fittedRows()``) from the fit's β and conditional
/// modes, matched to the block's columns by name and to its groups by label. Memory is one block.
public enum StreamingResiduals {
    /// Calls `body` with each block's data rows (1-based, in file order) and their fitted rows.
    public static func read(
        _ reader: inout CSVBlockReader, fit: LinearMixedModel, formula: String, groups: [String] = [], where filter: String? = nil,
        _ body: (_ dataRows: [Int], _ rows: [FittedRow]) throws -> Void
    ) throws {
        let coefficient = Dictionary(zip(fit.design.fixedNames, fit.beta), uniquingKeysWith: { a, _ in a })
        let term = fit.design.randomTerms[0], q = term.termCount
        let groupIndex = Dictionary(term.levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let modes = fit.conditionalModes[0]
        while let block = try reader.next() {
            guard block.rowCount > 0 else { continue }
            let part = try PreparedModel.partition(formula, groups: groups, frame: block, where: filter)
            let design = part.design.design, n = design.observationCount
            guard n > 0 else { continue }
            // β for the block's columns: a reference level's or a dropped column's is 0.
            let beta = part.design.columns.map { coefficient[$0.name] ?? 0 }
            var marginal = [Double](repeating: 0, count: n)
            design.x.values.withUnsafeBufferPointer { x in
                for (c, b) in beta.enumerated() where b != 0 { for i in 0..<n { marginal[i] += x[c * n + i] * b } }
            }
            let blockTerm = design.randomTerms[0]
            let blockModes = blockTerm.levels.map { label in groupIndex[label].map { modes[$0] } ?? [Double](repeating: 0, count: q) }
            var rows = [FittedRow]()
            rows.reserveCapacity(n)
            blockTerm.z.values.withUnsafeBufferPointer { z in
                for i in 0..<n {
                    let mode = blockModes[Int(blockTerm.codes[i])]
                    var random = 0.0
                    for a in 0..<q { random += z[a * n + i] * mode[a] }
                    let offset = design.offset?[i] ?? 0, y = design.y[i] + offset
                    let fitted = marginal[i] + random + offset
                    rows.append(FittedRow(fitted: fitted, residual: y - fitted, fittedMarginal: marginal[i] + offset,
                                          residualMarginal: y - marginal[i] - offset))
                }
            }
            try body(part.dataRows, rows)
        }
    }
}
