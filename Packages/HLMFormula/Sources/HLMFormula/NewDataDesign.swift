import HLMData

/// A fit's design applied to new data with the fit's coding: X with the fit's columns, and for each
/// random-effects term its Z columns and each row's group among the fit's levels (nil: a level the fit
/// has not seen). The response need not be present.
public struct NewDataDesign: Sendable {
    public var x: Matrix
    public struct Term: Sendable {
        public var groupName: String
        /// Per row, the index of its group among the fit's levels, or -1 for a new level.
        public var codes: [Int32]
        /// Per row, the group's level as written in the new data.
        public var levels: [String]
        public var z: Matrix
    }
    public var terms: [Term]
    /// The offset per row (0 without one).
    public var offset: [Double]
    public var rowCount: Int { x.rows }
}

extension ModelDesign {
    /// X and Z for the rows of `frame`, coded as this design coded the fit's data. A missing value, a
    /// column the model needs and `frame` lacks, or a factor level the fit has not seen is an error
    /// naming the row and the column.
    public func newData(_ frame: DataFrame) throws(FormulaError) -> NewDataDesign {
        let builder = DesignBuilder(formula: formula, frame: frame)
        let needed = formula.variables.filter { $0 != responseName }
        for name in needed where frame.column(named: name) == nil {
            throw FormulaError.unknownVariable(name, formula: formula.text, offset: builder.offsetOfName(name), known: frame.columnNames)
        }
        for name in needed {
            let column = frame.column(named: name)!
            if let row = (0..<frame.rowCount).first(where: { column.isMissing($0) }) {
                throw builder.fail("\"\(name)\" is missing in data row \(frame.dataRow(row)) of \(frame.source)", name: name)
            }
        }
        let resolver = PredictorResolver(frame: frame, rows: Array(0..<frame.rowCount), builder: builder, frozen: coding)
        let n = frame.rowCount
        // Fixed columns: the fit's construction, then the fit's kept columns by name.
        var columns: [String: DesignColumn] = [:]
        var present: Set<Set<Predictor>> = []
        if formula.hasIntercept {
            columns["(Intercept)"] = .constant(1)
            present.insert([])
        }
        for term in formula.fixedTerms {
            let (termColumns, names, spans) = try builder.termColumns(term, resolver, present: present)
            for (name, column) in zip(names, termColumns) { columns[name] = column }
            present.insert(Set(term.predictors))
            if spans { present.insert([]) }
        }
        var kept: [DesignColumn] = []
        for name in fixedNames {
            guard let column = columns[name] else { throw builder.fail("the new data give no column \(name)") }
            kept.append(column)
        }
        let x = Matrix(designColumns: kept, rows: n)
        var terms: [NewDataDesign.Term] = []
        for (k, term) in formula.randomTerms.enumerated() {
            let fitted = randomTerms[k]
            var zColumns: [String: DesignColumn] = [:]
            var presentZ: Set<Set<Predictor>> = []
            for varying in term.terms {
                if varying.isIntercept {
                    zColumns["(Intercept)"] = .constant(1)
                    presentZ.insert([])
                    continue
                }
                let (termColumns, names, spans) = try builder.termColumns(varying, resolver, present: presentZ)
                for (name, column) in zip(names, termColumns) { zColumns[name] = column }
                presentZ.insert(Set(varying.predictors))
                if spans { presentZ.insert([]) }
            }
            var z: [DesignColumn] = []
            for name in fitted.termNames {
                guard let column = zColumns[name] else { throw builder.fail("the new data give no column \(name) for \(fitted.groupName)") }
                z.append(column)
            }
            let (levels, codes) = try resolver.groupingFactor(term.grouping)
            let index = Dictionary(fitted.levels.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
            let mapped = levels.map { index[$0] ?? -1 }
            terms.append(NewDataDesign.Term(groupName: fitted.groupName, codes: codes.map { mapped[Int($0)] },
                                            levels: codes.map { levels[Int($0)] }, z: Matrix(designColumns: z, rows: n)))
        }
        var offset = [Double](repeating: 0, count: n)
        for expression in formula.offsets {
            let values = PredictorResolver.evaluateElementwise(expression, frame: frame, rows: Array(0..<n))
            for i in 0..<n { offset[i] += values[i] }
        }
        return NewDataDesign(x: x, terms: terms, offset: offset)
    }
}
