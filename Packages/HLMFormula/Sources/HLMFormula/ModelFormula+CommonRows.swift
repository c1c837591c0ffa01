import HLMData

extension ModelFormula {
    /// Designs for several models on the same rows: those every model can use (no missing value in
    /// any variable of any model), so that their likelihoods can be compared.
    public static func designs(_ formulas: [ModelFormula], for frame: DataFrame) throws(FormulaError) -> [ModelDesign] {
        var designs: [ModelDesign] = []
        for formula in formulas { designs.append(try formula.design(for: frame)) }
        var common = Set(designs.first?.rows ?? [])
        for design in designs.dropFirst() { common.formIntersection(design.rows) }
        guard designs.contains(where: { $0.rows.count != common.count }) else { return designs }
        let commonRows = common.sorted()
        let subset = frame.subset(rows: commonRows)
        var result: [ModelDesign] = []
        for (formula, original) in zip(formulas, designs) {
            var design = try formula.design(for: subset)
            // Rows of the frame given, not of the subset.
            design.rows = design.rows.map { commonRows[$0] }
            design.droppedRows = frame.rowCount - subset.rowCount
            let dropped = original.rows.count - design.observationCount
            if dropped > 0 { design.notes.append(.rowsDroppedForCommonRows(dropped)) }
            result.append(design)
        }
        return result
    }
}
