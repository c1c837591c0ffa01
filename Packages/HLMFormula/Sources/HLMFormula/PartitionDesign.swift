import HLMData

/// A design coded so that partitions of the rows can be summed (`hlm stats`, `--streaming`): every
/// level of a fixed factor has its own column (which level is the reference depends on the levels other
/// partitions hold; the fit from the summed statistics drops it), no column is dropped as aliased (the
/// fit decides on the summed cross products), and each column says which term and levels made it.
public struct PartitionDesign: Sendable {
    public var design: ModelDesign
    /// One per column of `design.x`.
    public var columns: [PartitionColumn]
    /// The variables the model reads, with their kinds (the statistics' schema).
    public var variables: [PartitionVariable]
}

/// One column of a partition's X: its fixed term (−1 for the intercept) and, per predictor of the
/// term, the factor level it indicates (nil for a numeric predictor).
public struct PartitionColumn: Sendable, Hashable, Codable {
    public struct Part: Sendable, Hashable, Codable {
        public var variable: String
        /// The level (its label); nil for a numeric predictor.
        public var level: String?
        /// Whether the in-memory design gives this factor treatment contrasts in this term (its
        /// reference level's column is then not in the model).
        public var contrasted: Bool
        /// The requested reference, as ``DesignCoding``'s key ("" for the first level).
        public var base: String
    }

    public var name: String
    public var term: Int
    public var parts: [Part]
}

/// A variable of the schema: numeric, text, or a codebook's categorical (with its levels' order).
public struct PartitionVariable: Sendable, Hashable, Codable {
    public var name: String
    public var kind: String
    /// A categorical column's levels in the codebook's order; nil for the others (their levels sort
    /// as R's `factor()` sorts them).
    public var levelOrder: [String]?
}

extension ModelFormula {
    /// The design of one partition of the rows, in partition coding. Models whose columns depend on
    /// more than the row itself (centring, `scale`, `poly`, group means), several random-effects terms,
    /// factors among the random slopes, and generalized families are refused, naming the reason.
    public func partitionDesign(for frame: DataFrame) throws(FormulaError) -> PartitionDesign {
        var builder = DesignBuilder(formula: self, frame: frame)
        builder.partitionCoding = true
        try builder.checkPartitionable()
        let design = try builder.build()
        let resolver = PredictorResolver(frame: frame, rows: design.rows, builder: builder)
        resolver.keepsEveryLevel = true
        var columns: [PartitionColumn] = []
        var present: Set<Set<Predictor>> = []
        if hasIntercept {
            columns.append(PartitionColumn(name: "(Intercept)", term: -1, parts: []))
            present.insert([])
        }
        for (t, term) in fixedTerms.enumerated() {
            var product: [(name: String, parts: [PartitionColumn.Part])] = [("", [])]
            var spans = false
            for predictor in term.predictors {
                let resolved = try resolver.resolve(predictor)
                let contrasted = DesignBuilder.hasContrasts(predictor, in: term, present: present)
                var parts: [(String, PartitionColumn.Part)] = []
                if case .categorical(let name, _, let levels, _) = resolved {
                    if !contrasted && term.predictors.count == 1 { spans = true }
                    var base = ""
                    if case .categorical(_, let requested) = predictor { base = DesignCoding.key(requested) }
                    parts = levels.map { ("\(name)[\($0)]", PartitionColumn.Part(variable: name, level: $0, contrasted: contrasted, base: base)) }
                } else {
                    parts = [(resolved.name, PartitionColumn.Part(variable: resolved.name, level: nil, contrasted: false, base: ""))]
                }
                var next: [(name: String, parts: [PartitionColumn.Part])] = []
                for (suffix, part) in parts {
                    for column in product { next.append((column.name.isEmpty ? suffix : column.name + ":" + suffix, column.parts + [part])) }
                }
                product = next
            }
            columns += product.map { PartitionColumn(name: $0.name, term: t, parts: $0.parts) }
            present.insert(Set(term.predictors))
            if spans { present.insert([]) }
        }
        precondition(columns.map(\.name) == design.fixedNames, "partition columns out of step with the design")
        var variables: [PartitionVariable] = []
        var seen = Set<String>()
        for name in self.variables where seen.insert(name).inserted {
            switch frame.column(named: name)!.values {
            case .numeric: variables.append(PartitionVariable(name: name, kind: "numeric", levelOrder: nil))
            case .text: variables.append(PartitionVariable(name: name, kind: "text", levelOrder: nil))
            case .categorical(let factor): variables.append(PartitionVariable(name: name, kind: "categorical", levelOrder: factor.levels))
            }
        }
        return PartitionDesign(design: design, columns: columns, variables: variables)
    }
}

extension DesignBuilder {
    /// What partition coding cannot sum, refused with the reason.
    func checkPartitionable() throws(FormulaError) {
        if let family = formula.family, family != .gaussian {
            throw fail("sufficient statistics are for linear (Gaussian) models; this is a \(family.rawValue) model")
        }
        guard formula.randomTerms.count == 1 else {
            throw fail("sufficient statistics and --streaming support one random-effects term (this model has \(formula.randomTerms.count))",
                       hint: "fit nested or crossed models from the data file")
        }
        let term = formula.randomTerms[0]
        guard term.grouping.count == 1 else {
            throw fail("sufficient statistics need one grouping column (\(term.grouping.joined(separator: ":")) combines several)",
                       name: term.grouping[0], hint: "make one column of the combined group identifier")
        }
        let predictors = [formula.response] + formula.fixedTerms.flatMap(\.predictors) + term.terms.flatMap(\.predictors)
        for predictor in predictors {
            if case .function(let call) = predictor, [.center, .cwc, .gmean, .scale, .poly].contains(call.kind) {
                throw fail("\(call.text) needs the whole data (its constants are means over all rows), which a partition's statistics do not have",
                           name: call.argument.variables.first, hint: "compute the column before partitioning")
            }
            if case .categorical(let name, .levels?) = predictor {
                throw fail("factor(\(name), levels = ...) cannot be summed over partitions", name: name, hint: "recode the column instead")
            }
        }
        for predictor in term.terms.flatMap(\.predictors) {
            let name = predictor.variables.first ?? ""
            var isFactor = false
            if case .categorical = predictor { isFactor = true }
            if case .variable(let column) = predictor, let values = frame.column(named: column)?.values {
                if case .numeric = values {} else { isFactor = true }
            }
            if isFactor {
                throw fail("sufficient statistics need numeric random slopes (\(predictor.name) is a factor)", name: name,
                           hint: "use indicator columns")
            }
        }
    }
}

extension PreparedModel {
    /// One partition's design for its sufficient statistics: the formula read in any notation, the
    /// rows filtered (`--where` and the formula's own `if`), then ``ModelFormula/partitionDesign(for:)``.
    /// Also the rows the filters removed, and the 1-based data row of each row the design uses.
    public static func partition(_ text: String, groups: [String] = [], frame: DataFrame,
                                 where filter: String? = nil) throws -> (design: PartitionDesign, filteredRows: Int, dataRows: [Int]) {
        let formula = try ModelFormula.parse(text, groups: groups)
        let data = try filtered(frame, by: [filter, formula.filter].compactMap { $0 })
        let design = try formula.partitionDesign(for: data)
        return (design, frame.rowCount - data.rowCount, design.design.rows.map(data.dataRow))
    }
}
