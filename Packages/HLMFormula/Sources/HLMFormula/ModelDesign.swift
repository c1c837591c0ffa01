import HLMData

/// Everything estimation needs from a model and a data frame: the response, the fixed-effects
/// matrix X with its coefficient names, and for each random-effects term its grouping factor and Z columns.
public struct ModelDesign: Sendable {
    public var formula: ModelFormula
    public var responseName: String
    /// The response, one value per row used, less the offset when the formula has one.
    public var y: [Double]
    /// The fixed-effects model matrix (rows used × coefficients), aliased columns already removed.
    public var x: Matrix
    /// Coefficient names per `docs/fit-json.md`: `(Intercept)`, `lrt`, `schgend[boys]`, `lrt:schgend[boys]`.
    public var fixedNames: [String]
    /// Columns dropped because they are linear combinations of earlier ones (as lme4 drops them).
    public var droppedColumns: [String]
    /// One entry per random-effects term, in formula order.
    public var randomTerms: [RandomEffectsDesign]
    /// The rows of the data frame used, in order.
    public var rows: [Int]
    /// Rows dropped for a missing (or non-finite transformed) value in a variable the model uses.
    public var droppedRows: Int
    /// Remarks for the report (unused factor levels dropped, ...).
    public var notes: [DesignNote]
    /// Predictors that resolved to factors (for echoing the model in Stata notation).
    public var categoricalPredictors: Set<String>
    /// Predictors constant within the groups of the first random term: level-2 variables in HLM's terms.
    public var groupLevelPredictors: Set<String>
    /// The offset per row used (the sum of the formula's `offset()` terms); nil without one.
    public var offset: [Double]? = nil
    /// Prior weights per row used (`--weights`); y, X and Z are then scaled by their square roots.
    public var weights: [Double]? = nil
    /// Σ log wᵢ: what the weighted log-likelihood adds, halved (0 without weights).
    public var logWeightSum = 0.0
    /// Binomial responses: the trials of each row used (1 for a 0/1 response); y holds the successes.
    public var binomialTrials: [Double]? = nil
    /// The response's family (nil: Gaussian).
    public var family: ResponseFamily? = nil
    /// How predictors became columns (factor levels, transform constants, group levels): for new data.
    public var coding = DesignCoding()
    /// A design without its rows (a fit from sufficient statistics): the number of rows it summarises.
    public var summarizedRowCount: Int? = nil

    public var observationCount: Int { summarizedRowCount ?? y.count }
    /// Whether the rows are here (false for a fit from sufficient statistics or a saved model).
    public var hasRows: Bool { summarizedRowCount == nil && !y.isEmpty }
}

/// The design of one random-effects term: which group each row is in and the columns whose
/// coefficients vary over the groups.
public struct RandomEffectsDesign: Sendable {
    /// `school`, or `batch:cask` for a nested factor.
    public var groupName: String
    /// The group levels, in order; `codes` index into these.
    public var levels: [String]
    /// Per row, the group's index.
    public var codes: [Int32]
    /// Names of the varying coefficients: `(Intercept)`, `lrt`.
    public var termNames: [String]
    /// Rows × terms.
    public var z: Matrix
    public var covariance: CovarianceStructure
    public var covarianceIsDefault: Bool
    /// Rows per group when the rows themselves are not kept (a fit from sufficient statistics).
    public var summarizedSizes: [Int]? = nil

    public var groupCount: Int { levels.count }
    /// Rows per group.
    public var groupSizes: [Int] {
        if let summarizedSizes { return summarizedSizes }
        var sizes = [Int](repeating: 0, count: groupCount)
        for code in codes where code >= 0 { sizes[Int(code)] += 1 }
        return sizes
    }
    public var termCount: Int { termNames.count }
}

extension ModelDesign {
    /// A design without data: what prediction needs of one (formula, coding, column names, levels),
    /// as a saved model restores it. `terms`: each random-effects term's group name, levels and coefficient names.
    public static func template(formula: ModelFormula, fixedNames: [String], terms: [(group: String, levels: [String], termNames: [String])],
                                coding: DesignCoding) -> ModelDesign {
        let randomTerms = zip(terms, formula.randomTerms).map { term, random in
            RandomEffectsDesign(groupName: term.group, levels: term.levels, codes: [], termNames: term.termNames,
                                z: Matrix(rows: 0, columns: term.termNames.count), covariance: random.covariance, covarianceIsDefault: false)
        }
        var design = ModelDesign(formula: formula, responseName: formula.response.name, y: [], x: Matrix(rows: 0, columns: fixedNames.count),
                                 fixedNames: fixedNames, droppedColumns: [], randomTerms: randomTerms, rows: [], droppedRows: 0, notes: [],
                                 categoricalPredictors: [], groupLevelPredictors: [])
        design.coding = coding
        return design
    }
}
