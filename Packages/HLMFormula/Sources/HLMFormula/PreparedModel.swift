import HLMData

/// A model ready to fit: the formula read in whichever notation, the rows filtered (`--where` and the
/// formula's own `if`), the design built and, with prior weights, weighted. The one call a front end
/// makes between reading the data and fitting.
public struct PreparedModel: Sendable {
    public var formula: ModelFormula
    public var design: ModelDesign
    /// Rows removed by the filters, before rows with missing values were dropped.
    public var filteredRows: Int
    /// The 1-based data row (in the file) of each row the design uses, worked out when asked for
    /// (only residual files need them: at 1M rows the array is 8 MB).
    public var dataRows: [Int] { design.rows.map { DataFrame.dataRow($0, originalRows: originalRows) } }
    /// The filtered frame's rows in the file (nil when unfiltered), as `DataFrame.originalRows`.
    private let originalRows: [Int]?

    init(formula: ModelFormula, design: ModelDesign, filteredRows: Int, originalRows: [Int]?) {
        self.formula = formula
        self.design = design
        self.filteredRows = filteredRows
        self.originalRows = originalRows
    }

    /// `groups`: level equations' grouping columns, level 2 first. `where`: a row filter in `--where` syntax.
    /// `weights`: a column of prior weights.
    /// `family`: the response's family when the caller chooses it (`--family`); the formula's own
    /// (cbind, Stata's melogit) otherwise.
    public static func prepare(_ text: String, groups: [String] = [], frame: DataFrame, where filter: String? = nil,
                               weights: String? = nil, family: ResponseFamily? = nil) throws -> PreparedModel {
        var formula = try ModelFormula.parse(text, groups: groups)
        if let family {
            // cbind() or a Stata melogit/mepoisson command already names the family: another one is a contradiction.
            if let own = formula.family, own != family {
                throw FormulaError(formula: text, offset: nil, message: "the formula is a \(own.rawValue) model (cbind() or its command) but --family is \(family.rawValue)",
                                   hint: "drop --family, or write the response for a \(family.rawValue) model")
            }
            formula.family = family
        }
        let data = try filtered(frame, by: [filter, formula.filter].compactMap { $0 })
        var design = try formula.design(for: data)
        if let weights { design = try design.weighted(by: weights, in: data) }
        return PreparedModel(formula: formula, design: design, filteredRows: frame.rowCount - data.rowCount,
                             originalRows: data.originalRows)
    }

    /// Several models on the same rows (those every model can use), for comparing them. The formulas'
    /// own `if` conditions must agree.
    public static func prepare(_ texts: [String], groups: [String] = [], frame: DataFrame, where filter: String? = nil,
                               weights: String? = nil) throws -> [PreparedModel] {
        let formulas = try texts.map { text throws(FormulaError) in try ModelFormula.parse(text, groups: groups) }
        let conditions = Set(formulas.compactMap(\.filter))
        guard conditions.count <= 1 else {
            throw FormulaError(formula: texts.joined(separator: " | "), offset: nil,
                               message: "the formulas' if conditions differ", hint: "give one --where for all of them")
        }
        let data = try filtered(frame, by: [filter, conditions.first].compactMap { $0 })
        var designs = try ModelFormula.designs(formulas, for: data)
        if let weights { designs = try designs.map { design throws(DataError) in try design.weighted(by: weights, in: data) } }
        return zip(formulas, designs).map { formula, design in
            PreparedModel(formula: formula, design: design, filteredRows: frame.rowCount - data.rowCount, originalRows: data.originalRows)
        }
    }

    /// The fixed terms' structure for type III tests (``FixedTermStructure``), from the same data and
    /// filters `prepare` was given.
    public func fixedTermStructure(frame: DataFrame, where filter: String? = nil) throws -> FixedTermStructure {
        let data = try Self.filtered(frame, by: [filter, formula.filter].compactMap { $0 })
        return try design.fixedTermStructure(frame: data)
    }

    static func filtered(_ frame: DataFrame, by expressions: [String]) throws(DataError) -> DataFrame {
        var data = frame
        for expression in expressions {
            data = data.filter(try RowFilter.parse(expression).evaluate(on: data, expression: expression))
        }
        return data
    }
}
