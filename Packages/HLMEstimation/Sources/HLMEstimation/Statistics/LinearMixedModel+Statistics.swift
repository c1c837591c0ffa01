import HLMFormula

extension LinearMixedModel {
    /// Fits from summed sufficient statistics, without the rows: the model's columns chosen from the
    /// partition coding (each factor's reference level over all partitions), aliased columns dropped on
    /// the summed X'X, then the same optimisation as from rows. The fit's design has no rows
    /// (`design.hasRows` is false): what needs them (residuals, robust SEs, the bootstrap) is not available.
    public static func fit(
        _ statistics: SufficientStatistics, criterion: ProfiledDeviance.Criterion, progress: ((Int, Double) -> Void)? = nil
    ) throws -> LinearMixedModel {
        let (design, products) = try modelSums(statistics)
        try validate(summed: design, products: products, shift: statistics.yShift)
        let deviance = ProfiledDeviance(template: design, products: products, yShift: statistics.yShift, criterion: criterion)
        var model = try fit(deviance, progress: progress)
        model.diagnostics.append(.fittedFromStatistics(rows: statistics.rows))
        return model
    }

    /// The design (without rows) and the cross products of the model the statistics summarise.
    static func modelSums(_ statistics: SufficientStatistics) throws -> (ModelDesign, CrossProducts) {
        var formula = try ModelFormula.parse(statistics.formula, groups: statistics.formulaGroups)
        formula.text = statistics.formula
        guard formula.randomTerms.count == 1, formula.randomTerms[0].grouping == [statistics.groupName] else {
            throw StatisticsError(source: "", message: "the statistics' model (\(statistics.formula)) does not have their random-effects term (\(statistics.groupName))")
        }
        let coding = PartitionCoding(columns: statistics.columns, variables: statistics.variables)
        let candidates = try coding.modelColumns(statistics.columns)
        let w = statistics.width, y = w - 1, q = statistics.q, groups = statistics.groups.count
        let kept = independentColumns(candidates, xy: statistics.xy, width: w)
        let dropped = candidates.filter { !kept.contains($0) }.map { statistics.columns[$0].name }
        let p = kept.count, r = p + 1
        let rows = kept + [y]
        var a22 = [Double](repeating: 0, count: r * r)
        for b in 0..<r { for a in 0..<r { a22[a + b * r] = statistics.xy[rows[a] + rows[b] * w] } }
        var panels = [Double](repeating: 0, count: groups * r * q)
        for j in 0..<groups { for c in 0..<q { for k in 0..<r {
            panels[j * r * q + k + c * r] = statistics.zxy[j * w * q + rows[k] + c * w]
        } } }
        let products = CrossProducts(oneTerm: q, groups: groups, p: p, n: statistics.rows, a11: statistics.zz, a22: a22, panels: panels)

        let numeric = statistics.variables.filter { $0.kind == "numeric" }.map(\.name)
        let designCoding = coding.designCoding(statistics.columns, groupName: statistics.groupName, groupLevels: statistics.groups, numeric: numeric)
        var design = ModelDesign.template(formula: formula, fixedNames: kept.map { statistics.columns[$0].name },
                                          terms: [(statistics.groupName, statistics.groups, statistics.termNames)], coding: designCoding)
        design.responseName = statistics.response
        design.droppedColumns = dropped
        design.droppedRows = statistics.droppedRows
        design.summarizedRowCount = statistics.rows
        design.categoricalPredictors = Set(statistics.columns.flatMap { $0.parts.filter { $0.level != nil }.map(\.variable) })
        design.randomTerms[0].covariance = statistics.covariance
        design.randomTerms[0].covarianceIsDefault = statistics.covarianceIsDefault
        design.randomTerms[0].summarizedSizes = statistics.groupRows
        return (design, products)
    }

    /// The columns among `candidates` (in order) that are not linear combinations of earlier ones: a
    /// Cholesky factorisation of their X'X in order, a column kept when the squared norm of its part
    /// orthogonal to the kept ones exceeds the rank check's tolerance squared times its squared norm (the
    /// criterion the check on rows applies to the norms themselves).
    static func independentColumns(_ candidates: [Int], xy: [Double], width w: Int) -> [Int] {
        var kept: [Int] = []
        var factor: [[Double]] = []   // rows of L for the kept columns
        for c in candidates {
            let norm2 = xy[c + c * w]
            guard norm2 > 0 else { continue }
            var row = [Double](repeating: 0, count: kept.count)
            for (k, b) in kept.enumerated() {
                var s = xy[c + b * w]
                for m in 0..<k { s -= row[m] * factor[k][m] }
                row[k] = s / factor[k][k]
            }
            let residual = norm2 - row.reduce(0) { $0 + $1 * $1 }
            guard residual > 1e-14 * norm2 else { continue }
            row.append(residual.squareRoot())
            factor.append(row)
            kept.append(c)
        }
        return kept
    }

    /// The checks ``validate(_:)`` makes on rows, made on the sums.
    static func validate(summed design: ModelDesign, products: CrossProducts, shift: Double) throws(EstimationError) {
        let n = products.n, p = products.p, r = products.restCount
        guard n > p else { throw EstimationError.tooFewObservations(n, p) }
        // Σ (y − shift)², the shift the rows' mean: zero up to rounding for a constant response.
        if products.a22[p + p * r] <= 1e-20 * Double(n) * max(1, shift * shift) { throw EstimationError.constantResponse }
        let term = design.randomTerms[0]
        if term.groupCount < 2 { throw EstimationError.tooFewGroups(term.groupName, term.groupCount) }
        if term.groupCount >= n { throw EstimationError.groupsEqualObservations(term.groupName, term.groupCount) }
    }
}
