import HLMData

/// The fixed part's terms as tests of hypotheses see them: which coefficients each term owns, which
/// terms contain which, and the cross products X'R with R the full-dummy design (the intercept, then each
/// term coded with every level of its factors, as R's `model.matrix(~ 0 + term)`), from which type III
/// contrasts are made (lmerTest's `get_rdX`). Built on request, from the data the design was built on.
public struct FixedTermStructure: Sendable {
    public struct TermInfo: Sendable, Equatable {
        /// The term as R labels it: `lrt`, `schgend`, `lrt:schgend`.
        public var label: String
        /// Its variables, and those of them that are numeric.
        public var variables: Set<String>
        public var numericVariables: Set<String>
        /// How many predictors it multiplies.
        public var order: Int
        /// Indices of its coefficients in `ModelDesign.fixedNames`.
        public var columns: [Int]
    }

    public var terms: [TermInfo]
    /// The full-dummy columns' names (`(Intercept)`, `schgend[mixed]`, …), r of them.
    public var fullNames: [String]
    /// X'R, p × r column-major (X as the fit used it: rows scaled by √w with prior weights).
    public var crossProducts: [Double]

    /// Term `a` is contained in term `b` (lmerTest's rule): b has every variable of a and more, and the
    /// same numeric variables.
    public func contains(_ b: TermInfo, _ a: TermInfo) -> Bool {
        a.variables.isSubset(of: b.variables) && b.variables.count > a.variables.count && a.numericVariables == b.numericVariables
    }
}

extension ModelDesign {
    /// The fixed terms' structure for `frame`, the data this design was built from.
    public func fixedTermStructure(frame: DataFrame) throws(FormulaError) -> FixedTermStructure {
        let builder = DesignBuilder(formula: formula, frame: frame)
        let resolver = PredictorResolver(frame: frame, rows: rows, builder: builder, frozen: coding)
        var terms: [FixedTermStructure.TermInfo] = []
        var fullColumns: [[Double]] = [], fullNames: [String] = []
        let n = rows.count
        if formula.hasIntercept {
            fullColumns.append([Double](repeating: 1, count: n))
            fullNames.append("(Intercept)")
        }
        var present: Set<Set<Predictor>> = formula.hasIntercept ? [[]] : []
        for term in formula.fixedTerms {
            let (_, names, spans) = try builder.termColumns(term, resolver, present: present)
            present.insert(Set(term.predictors))
            if spans { present.insert([]) }
            var variables: Set<String> = [], numeric: Set<String> = []
            for predictor in term.predictors {
                variables.insert(predictor.name)
                if !(try resolver.resolve(predictor)).isCategorical { numeric.insert(predictor.name) }
            }
            terms.append(FixedTermStructure.TermInfo(
                label: term.description, variables: variables, numericVariables: numeric, order: term.predictors.count,
                columns: names.compactMap { fixedNames.firstIndex(of: $0) }))
            let (full, namesFull, _) = try builder.termColumns(term, resolver, present: [])
            for (column, name) in zip(full, namesFull) {
                fullColumns.append(column.materialized(rows: n))
                fullNames.append(name)
            }
        }
        if let weights {
            for c in fullColumns.indices { for i in 0..<n { fullColumns[c][i] *= weights[i].squareRoot() } }
        }
        let p = x.columns, r = fullColumns.count
        var products = [Double](repeating: 0, count: p * r)
        x.values.withUnsafeBufferPointer { xv in
            for c in 0..<r {
                fullColumns[c].withUnsafeBufferPointer { column in
                    for a in 0..<p {
                        var sum = 0.0
                        for i in 0..<n { sum += xv[i + a * n] * column[i] }
                        products[a + c * p] = sum
                    }
                }
            }
        }
        return FixedTermStructure(terms: terms, fullNames: fullNames, crossProducts: products)
    }
}
