import Foundation
import HLMData

extension ModelFormula {
    /// Resolves the formula against the data and builds y, X and the random-effects designs.
    /// Rows with a missing value in any variable the model uses are dropped and counted.
    public func design(for frame: DataFrame) throws(FormulaError) -> ModelDesign {
        try DesignBuilder(formula: self, frame: frame).build()
    }
}

/// Builds a ``ModelDesign``: finds the rows to use, resolves each predictor, codes factors as R does.
struct DesignBuilder {
    let formula: ModelFormula
    let frame: DataFrame
    /// Partition coding (``PartitionDesign``): every factor level a column, no aliased column dropped.
    var partitionCoding = false

    func fail(_ message: String, name: String? = nil, hint: String? = nil) -> FormulaError {
        FormulaError(formula: formula.text, offset: name.flatMap { offsetOfName($0) }, message: message, hint: hint)
    }

    /// The first whole-word occurrence of `name` in the formula text.
    func offsetOfName(_ name: String) -> Int? {
        let text = Array(formula.text), target = Array(name)
        guard target.count <= text.count else { return nil }
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        for start in 0...(text.count - target.count) where Array(text[start..<(start + target.count)]) == target {
            let before = start == 0 || !isWordCharacter(text[start - 1])
            let after = start + target.count == text.count || !isWordCharacter(text[start + target.count])
            if before && after { return start }
        }
        return nil
    }

    func build() throws(FormulaError) -> ModelDesign {
        for name in formula.variables where frame.column(named: name) == nil {
            throw FormulaError.unknownVariable(name, formula: formula.text, offset: offsetOfName(name), known: frame.columnNames)
        }
        let rows = try usableRows()
        guard !rows.isEmpty else {
            throw fail("no rows left to fit", hint: "every row has a missing value in a variable the model uses, or the filter removed them all")
        }
        let resolver = PredictorResolver(frame: frame, rows: rows, builder: self)
        resolver.keepsEveryLevel = partitionCoding
        var y: [Double]
        if formula.family == .binomial, case .categorical(let name, let codes, let levels, _) = try resolver.resolve(formula.response) {
            // A two-level factor: the second level is the success, as in R.
            guard levels.count == 2 else {
                throw fail("a binomial response given as a factor needs two levels; \(name) has \(levels.count)", name: name)
            }
            y = codes.map { $0 == 1 ? 1 : 0 }
        } else {
            guard case .continuous(_, let values) = try resolver.resolve(formula.response, forceNumeric: true) else {
                throw fail("the response must be numeric", name: formula.response.name)
            }
            y = values
        }
        let (trials, exposure) = try responseChecks(y, rows: rows)
        var offset: [Double]?
        if !formula.offsets.isEmpty || exposure != nil {
            // A Gaussian model with an offset is the model of y − offset.
            var total = [Double](repeating: 0, count: rows.count)
            for expression in formula.offsets {
                let values = PredictorResolver.evaluateElementwise(expression, frame: frame, rows: rows)
                if let bad = values.indices.first(where: { !values[$0].isFinite }) {
                    throw fail("the offset is not a finite number at data row \(frame.dataRow(rows[bad]))", name: expression.variables.first)
                }
                for i in total.indices { total[i] += values[i] }
            }
            if let exposure { for i in total.indices { total[i] += log(exposure[i]) } }
            // A Gaussian model with an offset is the model of y − offset; other families keep y and the offset.
            if (formula.family ?? .gaussian) == .gaussian { for i in y.indices { y[i] -= total[i] } }
            offset = total
        }
        var notes = resolver.notes.values
        let (columns, names) = try fixedColumns(resolver)
        let check = partitionCoding ? Array(columns.indices) : RankCheck.independentColumns(columns, rows: rows.count)
        let dropped = names.indices.filter { !check.contains($0) }.map { names[$0] }
        let kept = check.map { names[$0] }
        let x = Matrix(designColumns: check.map { columns[$0] }, rows: rows.count)
        var randomDesigns: [RandomEffectsDesign] = []
        for term in formula.randomTerms { randomDesigns.append(try randomDesign(term, resolver, fixed: (kept, x))) }
        notes = resolver.notes.values
        var categorical = Set<String>(), groupLevel = Set<String>()
        let predictors = Set(formula.fixedTerms.flatMap(\.predictors) + formula.randomTerms.flatMap { $0.terms.flatMap(\.predictors) })
        for predictor in predictors {
            let resolved = try resolver.resolve(predictor)
            if resolved.isCategorical { categorical.insert(predictor.name) }
            if let first = randomDesigns.first, Self.isConstantWithinGroups(resolved, first.codes) { groupLevel.insert(predictor.name) }
        }
        var design = ModelDesign(
            formula: formula, responseName: formula.response.name, y: y, x: x, fixedNames: kept, droppedColumns: dropped,
            randomTerms: randomDesigns, rows: rows, droppedRows: frame.rowCount - rows.count, notes: notes,
            categoricalPredictors: categorical, groupLevelPredictors: groupLevel, offset: offset)
        design.coding = resolver.coding
        design.family = formula.family
        design.binomialTrials = trials
        for term in randomDesigns { design.coding.groupLevels[term.groupName] = term.levels }
        return design
    }

    /// A binomial or Poisson response checked row by row (one line naming the data row and column):
    /// the trials of a binomial response (1 each for 0/1; successes + failures for cbind; the column of
    /// Stata's binomial(VAR)) and the exposure of Stata's exposure(VAR).
    private func responseChecks(_ y: [Double], rows: [Int]) throws(FormulaError) -> ([Double]?, [Double]?) {
        let family = formula.family ?? .gaussian
        let column = formula.response.name
        func values(_ name: String) throws(FormulaError) -> [Double] {
            guard case .numeric(let numbers)? = frame.column(named: name)?.values else { throw fail("\(name) must be numeric", name: name) }
            return rows.map { numbers.values[$0] }
        }
        var exposure: [Double]?
        if let name = formula.exposureVariable {
            let e = try values(name)
            if let bad = e.indices.first(where: { !(e[$0] > 0) }) {
                throw fail("data row \(frame.dataRow(rows[bad])), column \(name): exposure \(e[bad]) is not positive", name: name)
            }
            exposure = e
        }
        switch family {
        case .gaussian:
            return (nil, exposure)
        case .poisson:
            if let bad = y.indices.first(where: { y[$0] < 0 || y[$0] != y[$0].rounded() }) {
                throw fail("data row \(frame.dataRow(rows[bad])), column \(column): \(y[bad]) is not a count (a Poisson response is a whole number \u{2265} 0)", name: column)
            }
            return (nil, exposure)
        case .binomial:
            var trials = [Double](repeating: 1, count: y.count)
            if let counts = formula.responseCounts {
                let failures = PredictorResolver.evaluateElementwise(counts[1], frame: frame, rows: rows)
                for i in y.indices {
                    guard y[i] >= 0, failures[i] >= 0, failures[i].isFinite else {
                        throw fail("data row \(frame.dataRow(rows[i])): cbind(successes, failures) has \(y[i]) successes and \(failures[i]) failures; both must be \u{2265} 0",
                                   name: column)
                    }
                    trials[i] = y[i] + failures[i]
                }
            } else if let name = formula.trialsVariable {
                trials = try values(name)
                if let bad = y.indices.first(where: { y[$0] < 0 || y[$0] > trials[$0] || trials[$0] <= 0 }) {
                    throw fail("data row \(frame.dataRow(rows[bad])): \(y[bad]) successes of \(trials[bad]) trials (column \(name)) is not a binomial count", name: column)
                }
            } else if let bad = y.indices.first(where: { y[$0] != 0 && y[$0] != 1 }) {
                throw fail("data row \(frame.dataRow(rows[bad])), column \(column): \(y[bad]) is not 0 or 1 (a binomial response; for counts of successes use cbind(successes, failures))", name: column)
            }
            return (trials, exposure)
        }
    }

    static func isConstantWithinGroups(_ predictor: ResolvedPredictor, _ groups: [Int32]) -> Bool {
        let count = Int(groups.max() ?? -1) + 1
        var first = [Double](repeating: .nan, count: count)
        var seen = [Bool](repeating: false, count: count)
        for row in groups.indices {
            let value: Double
            switch predictor {
            case .continuous(_, let values): value = values[row]
            case .categorical(_, let codes, _, _): value = Double(codes[row])
            case .numericColumns(_, let columns): value = columns.first?.values[row] ?? 0
            }
            let g = Int(groups[row])
            if seen[g] {
                if first[g] != value { return false }
            } else {
                seen[g] = true
                first[g] = value
            }
        }
        return true
    }

    /// Rows with every used variable present and every transformed value finite.
    private func usableRows() throws(FormulaError) -> [Int] {
        var keep: [Bool]? = nil
        func drop(_ row: Int) {
            if keep == nil { keep = [Bool](repeating: true, count: frame.rowCount) }
            keep![row] = false
        }
        for name in formula.variables {
            let column = frame.column(named: name)!
            switch column.values {
            case .numeric(let numbers):
                // Plain loops: at ten million rows each of these passes is a noticeable part of the design.
                let anyMissing = Self.anyTrue(numbers.isMissing)
                if anyMissing { for row in numbers.isMissing.indices where numbers.isMissing[row] { drop(row) } }
                let maybeInfinite = Self.anyNonFinite(numbers.values)  // or NaN (a missing value)
                if maybeInfinite, let bad = numbers.values.indices.first(where: { numbers.values[$0].isInfinite && keep?[$0] ?? true }) {
                    throw fail("column \"\(name)\" has an infinite value (data row \(frame.dataRow(bad)))", name: name,
                               hint: "remove it or declare it missing in the codebook")
                }
            case .categorical(let factor):
                for row in factor.codes.indices where factor.codes[row] < 0 { drop(row) }
            case .text(let text):
                for row in text.codes.indices where text.codes[row] < 0 { drop(row) }
            }
        }
        let predictors = [formula.response] + formula.fixedTerms.flatMap(\.predictors)
            + formula.randomTerms.flatMap { $0.terms.flatMap(\.predictors) }
        for predictor in predictors {
            // factor(x, levels = ...): other values are missing, as in R.
            guard case .categorical(let name, .levels(let order)?) = predictor else { continue }
            for (row, kept) in PredictorResolver.rowsInLevels(name, order, frame: frame).enumerated() where !kept { drop(row) }
        }
        for predictor in predictors {
            guard case .function(let call) = predictor else { continue }
            let values = PredictorResolver.evaluateElementwise(call.argument, frame: frame, rows: Array(0..<frame.rowCount))
            for row in 0..<frame.rowCount where keep?[row] ?? true {
                let value = [.identity, .center, .cwc, .gmean, .scale, .poly].contains(call.kind)
                    ? values[row] : FunctionCall.apply(call.kind, values[row])
                // Inputs present but the value undefined (log of a negative number, division by zero): an
                // error, never a silently dropped row (R's lm stops on the same rows).
                if !value.isFinite { throw undefinedValue(call, row: row) }
            }
        }
        guard let keep else { return Self.allRows(frame.rowCount) }
        return keep.indices.filter { keep[$0] }
    }

    /// Whether any flag is set: eight at a time (a generic `contains` tests them one by one).
    static func anyTrue(_ flags: [Bool]) -> Bool {
        flags.withUnsafeBytes { bytes in
            let words = bytes.count / 8
            var any: UInt64 = 0
            for w in 0..<words { any |= bytes.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self) }
            for b in (8 * words)..<bytes.count { any |= UInt64(bytes[b]) }
            return any != 0
        }
    }

    /// Whether any value is infinite or NaN, without a branch per value: the exponent field plus one
    /// carries into bit 11 only when it is all ones.
    static func anyNonFinite(_ values: [Double]) -> Bool {
        values.withUnsafeBufferPointer { values in
            var carry: UInt64 = 0
            for x in values { carry |= ((x.bitPattern >> 52) & 0x7ff) &+ 1 }
            return carry & 0x800 != 0
        }
    }

    /// 0..<n as an array, written directly (`Array(0..<n)` copies element by element).
    static func allRows(_ n: Int) -> [Int] {
        [Int](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = i }
            count = n
        }
    }

    /// The error for a function whose value is undefined at a data row whose inputs are all present.
    private func undefinedValue(_ call: FunctionCall, row: Int) -> FormulaError {
        let inputs = call.argument.variables.map { name -> String in
            guard case .numeric(let column)? = frame.column(named: name)?.values else { return "\(name) is not numeric" }
            return "\(name) = \(column.values[row])"
        }
        let kind = call.kind == .log || call.kind == .sqrt ? "outside the domain of \(call.kind.rawValue)()" : "not a finite number"
        return fail("\(call.text) is \(kind) at data row \(frame.dataRow(row)) (\(inputs.joined(separator: ", ")))",
                    name: call.argument.variables.first, hint: "filter the rows with --where, or transform the column first")
    }

    /// The columns of X and their names, factors coded by R's rule: a factor gets treatment contrasts
    /// when the term without it is already in the model (the intercept counting as the empty term),
    /// else one indicator per level.
    private func fixedColumns(_ resolver: PredictorResolver) throws(FormulaError) -> ([DesignColumn], [String]) {
        var columns: [DesignColumn] = [], names: [String] = []
        var present: Set<Set<Predictor>> = []
        if formula.hasIntercept {
            columns.append(.constant(1))
            names.append("(Intercept)")
            present.insert([])
        }
        for term in formula.fixedTerms {
            let (termColumns, termNames, spansIntercept) = try termColumns(term, resolver, present: present)
            columns += termColumns
            names += termNames
            present.insert(Set(term.predictors))
            if spansIntercept { present.insert([]) }
        }
        return (columns, names)
    }

    /// R's rule: a factor in a term gets treatment contrasts when the term without it is already present.
    static func hasContrasts(_ predictor: Predictor, in term: Term, present: Set<Set<Predictor>>) -> Bool {
        var without = Set(term.predictors)
        without.remove(predictor)
        return present.contains(without)
    }

    /// More columns than one term may have (a guard against interactions of many factors).
    static let maximumColumns = 10_000

    /// The columns of one term; an interaction's columns vary its first predictor fastest, as R's do.
    func termColumns(
        _ term: Term, _ resolver: PredictorResolver, present: Set<Set<Predictor>>
    ) throws(FormulaError) -> ([DesignColumn], [String], Bool) {
        // nil until the first predictor: a product with nothing yet is that predictor's columns, uncopied.
        var product: [(String, [Double])]? = nil
        var spansIntercept = false
        for predictor in term.predictors {
            let resolved = try resolver.resolve(predictor)
            let full = resolved.isCategorical && !Self.hasContrasts(predictor, in: term, present: present)
            if full && term.predictors.count == 1 { spansIntercept = true }
            // A predictor alone: its columns as they are (a factor's stay codes until the matrix is written).
            if term.predictors.count == 1 {
                let columns = resolved.designColumns(full: full)
                return (columns.map(\.column), columns.map(\.suffix), spansIntercept)
            }
            let columns = resolved.columns(full: full)
            guard let base = product else {
                product = columns.map { ($0.suffix, $0.values) }
                continue
            }
            guard base.count * max(1, columns.count) <= Self.maximumColumns else {
                throw fail("the term \(term.description) has more than \(Self.maximumColumns) columns", name: predictor.name,
                           hint: "interact fewer or smaller factors")
            }
            var next: [(String, [Double])] = []
            for (suffix, values) in columns {
                for (name, baseValues) in base {
                    next.append((name + ":" + suffix, zip(baseValues, values).map { $0 * $1 }))
                }
            }
            product = next
        }
        guard let columns = product else { return ([.constant(1)], [""], spansIntercept) }
        return (columns.map { .values($0.1) }, columns.map(\.0), spansIntercept)
    }

    /// `fixed`: X and its column names. When Z has exactly X's columns (a random slope on every fixed
    /// predictor, as in `y ~ x + (x | g)`), Z shares X's storage instead of a second copy.
    private func randomDesign(
        _ term: RandomTerm, _ resolver: PredictorResolver, fixed: (names: [String], matrix: Matrix)
    ) throws(FormulaError) -> RandomEffectsDesign {
        let (levels, codes) = try resolver.groupingFactor(term.grouping)
        var columns: [DesignColumn] = [], names: [String] = []
        var present: Set<Set<Predictor>> = []
        for varying in term.terms {
            if varying.isIntercept {
                columns.append(.constant(1))
                names.append("(Intercept)")
                present.insert([])
                continue
            }
            var hasFactor = false
            for predictor in varying.predictors where try resolver.resolve(predictor).isCategorical { hasFactor = true }
            if term.covariance == .independent, hasFactor {
                throw fail("|| cannot separate the levels of a factor (\(varying.description))", name: varying.predictors[0].name,
                           hint: "lme4 would not make them independent either; use | or an indicator variable per level")
            }
            let (termColumns, termNames, spans) = try termColumns(varying, resolver, present: present)
            columns += termColumns
            names += termNames
            present.insert(Set(varying.predictors))
            if spans { present.insert([]) }
        }
        return RandomEffectsDesign(
            groupName: term.groupName, levels: levels, codes: codes, termNames: names,
            z: names == fixed.names ? fixed.matrix : Matrix(designColumns: columns, rows: resolver.rows.count), covariance: term.covariance,
            covarianceIsDefault: term.covarianceIsDefault)
    }
}
