import HLMEstimation

/// Several fits of the same rows side by side, with likelihood-ratio tests between them.
public struct ComparisonReport: Sendable, Codable {
    public var models: [FitReport]
    public var tests: [ModelComparison.Test]
    public var refittedWithML: Bool

    /// Reports already made, with their tests.
    public init(models: [FitReport], tests: [ModelComparison.Test], refittedWithML: Bool) {
        self.models = models
        self.tests = tests
        self.refittedWithML = refittedWithML
    }

    public init(_ comparison: ModelComparison, originals: [LinearMixedModel], filteredRows: Int? = nil,
                level: Double = 0.95, variances: Bool = false) {
        models = originals.map { FitReport($0, filteredRows: filteredRows, level: level, variances: variances) }
        tests = comparison.tests
        refittedWithML = comparison.refittedWithML
    }

    /// The side-by-side table (and, when asked, each model's equations).
    public func document(labels: VariableLabels = VariableLabels(), layout: TableLayout = TableLayout(), equations: Bool = false) -> Document {
        var document = Document([.regressionTable(RegressionTable(
            reports: models, labels: labels, layout: layout, tests: tests, refittedWithML: refittedWithML))])
        if equations {
            for (k, model) in models.enumerated() { document.append(model.equationsBlock(title: "(\(k + 1))")) }
        }
        return document
    }
}

extension FitReport {
    /// The report for LaTeX: the estimates as a one-column regression table, and the equations.
    public func tableDocument(labels: VariableLabels = VariableLabels(), layout: TableLayout = TableLayout(), equations: Bool = false) -> Document {
        var document = Document([.regressionTable(RegressionTable(reports: [self], labels: labels, layout: layout))])
        if equations { document.append(equationsBlock(title: nil)) }
        return document
    }

    /// The model's equations: level form (when it has one) and combined form (the seed's eqs 2–4).
    func equationsBlock(title: String?) -> Block {
        var latex = notations.latexLevelForm ?? []
        latex.append(notations.latexCombinedForm)
        var plain = (title.map { [$0] } ?? []) + (levelModel ?? notations.levelEquations ?? [])
        plain.append(notations.lme4)
        return .equations(latex: latex, plain: plain)
    }
}
