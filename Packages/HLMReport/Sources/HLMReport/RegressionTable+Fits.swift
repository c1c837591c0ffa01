import HLMEstimation

extension RegressionTable {
    /// Fits side by side: fixed effects, then random effects (SDs and correlations per group, the
    /// residual SD, the number of groups), then fit statistics.
    public init(reports: [FitReport], labels: VariableLabels = VariableLabels(), layout: TableLayout = TableLayout(), caption: String? = nil,
                tests: [ModelComparison.Test] = [], refittedWithML: Bool = false) {
        let columns = reports.count == 1 ? [reports[0].method] : reports.indices.map { "(\($0 + 1))" }
        func union(_ keys: [[String]]) -> [String] {
            var seen: [String] = []
            for list in keys { for key in list where !seen.contains(key) { seen.append(key) } }
            return seen
        }

        let fixedNames = layout.arrange(union(reports.map { $0.fixedEffects.map(\.name) }))
        let fixedRows = fixedNames.map { name in
            Row(label: labels.coefficient(name), cells: reports.map { report in
                // With --robust, the table shows the cluster-robust standard errors (noted below).
                if let robust = report.robustFixedEffects?.first(where: { $0.name == name }) {
                    return Cell(value: robust.estimate, standardError: robust.stdError, pValue: robust.pValue)
                }
                guard let effect = report.fixedEffects.first(where: { $0.name == name }) else { return .empty }
                return Cell(value: effect.estimate, standardError: effect.stdError, pValue: effect.pValue)
            })
        }

        var randomRows: [Row] = []
        // Variances and covariances when every model asks for them (--variances, Stata's variance).
        let variances = !reports.isEmpty && reports.allSatisfy(\.showsVariances)
        let groups = union(reports.map { $0.randomEffects.map(\.group) })
        for group in groups {
            let terms = union(reports.map { $0.randomEffects.filter { $0.group == group }.flatMap(\.terms) })
            for term in terms {
                randomRows.append(Row(label: "\(variances ? "Var" : "SD") \(labels.coefficient(term)) | \(labels.group(group))", cells: reports.map { report in
                    for effect in report.randomEffects where effect.group == group {
                        if let k = effect.terms.firstIndex(of: term) {
                            // Variances: σ² with the delta method's SE, 2σ·SE(σ) (Stata's variance).
                            let sd = effect.sd[k], se = effect.sdStdError?[k]
                            return variances ? Cell(value: sd * sd, standardError: se.map { 2 * sd * $0 }) : Cell(value: sd, standardError: se)
                        }
                    }
                    return .empty
                }))
            }
            for (i, a) in terms.enumerated() { for b in terms[(i + 1)...] {
                let cells = reports.map { report -> Cell in
                    for effect in report.randomEffects where effect.group == group && effect.covariance != "independent" {
                        if let x = effect.terms.firstIndex(of: a), let y = effect.terms.firstIndex(of: b) {
                            return variances ? Cell(value: effect.covarianceMatrix[x][y], standardError: effect.covarianceStdError?[x][y])
                                : Cell(value: effect.correlation[x][y], standardError: effect.correlationStdError?[x][y])
                        }
                    }
                    return .empty
                }
                if cells.contains(where: { $0.value != nil }) {
                    randomRows.append(Row(label: "\(variances ? "Cov" : "Corr")(\(labels.coefficient(a)), \(labels.coefficient(b))) | \(labels.group(group))", cells: cells))
                }
            } }
        }
        for group in groups {
            let terms = union(reports.map { $0.randomEffects.filter { $0.group == group && $0.reliability != nil }.flatMap(\.terms) })
            for term in terms {
                randomRows.append(Row(label: "Reliability \(labels.coefficient(term)) | \(labels.group(group))", cells: reports.map { report in
                    for effect in report.randomEffects where effect.group == group {
                        if let k = effect.terms.firstIndex(of: term), let reliability = effect.reliability { return Cell(value: reliability[k]) }
                    }
                    return .empty
                }))
            }
        }
        randomRows.append(Row(label: variances ? "Var Residual" : "SD Residual", cells: reports.map { report in
            guard let sd = report.residualSD else { return .empty }
            return variances ? Cell(value: sd * sd, standardError: report.residualSDStdError.map { 2 * sd * $0 }) : Cell(value: sd, standardError: report.residualSDStdError)
        }))
        for group in union(reports.map { $0.groups.map(\.name) }) {
            randomRows.append(Row(label: "Groups: \(labels.group(group))", cells: reports.map { report in
                report.groups.first { $0.name == group }.map { Cell(text: String($0.count)) } ?? .empty
            }))
        }

        var fitRows = [
            Row(label: "Observations", cells: reports.map { Cell(text: String($0.nobs)) }),
            Row(label: Self.likelihoodLabel(reports), cells: reports.map { Cell(value: $0.logLikelihood) }),
            Row(label: "Deviance", cells: reports.map { Cell(value: $0.deviance) }),
            Row(label: "AIC", cells: reports.map { Cell(value: $0.aic) }),
            Row(label: "BIC", cells: reports.map { Cell(value: $0.bic) }),
        ]
        var notes = ["Standard errors in parentheses. Estimation by \(Set(reports.map(Self.methodName)).sorted().joined(separator: " and "))."]
        if reports.contains(where: { $0.method == "REML" && $0.estimator != Estimator.leastSquares.rawValue }) {
            notes.append(reports.allSatisfy({ $0.method == "REML" })
                ? "Restricted (REML) log-likelihoods; deviance, AIC and BIC are REML-based and not comparable between models with different fixed effects."
                : "REML fits show the restricted log-likelihood, and their deviance, AIC and BIC are REML-based.")
        }
        if let robust = reports.first(where: { $0.robustFixedEffects != nil }) {
            notes.append("Fixed effects: cluster-robust standard errors (clusters: \(robust.robustClusters ?? "groups")).")
        }
        if reports.contains(where: { !$0.icc.isEmpty }) {
            fitRows.append(Row(label: "ICC", cells: reports.map { report in report.icc.first.map { Cell(value: $0.value) } ?? .empty }))
        }
        if reports.contains(where: { $0.lrTestVsLinear != nil }) {
            fitRows.append(Row(label: "LR test vs. linear", cells: reports.map { report in
                report.lrTestVsLinear.map { Cell(text: NumberFormatting.fixed($0.statistic, 2)) } ?? .empty
            }))
            fitRows.append(Row(label: "  p-value", cells: reports.map { report in
                report.lrTestVsLinear.map { Cell(text: NumberFormatting.pValue($0.pValue)) } ?? .empty
            }))
            notes.append("LR test vs. linear regression: chibar2(01) for one variance parameter, otherwise the conservative chi2(k).")
        }
        let nonNested = tests.filter { !$0.nested }
        if !nonNested.isEmpty {
            notes.append(nonNested.map { "(\($0.smaller + 1)) and (\($0.larger + 1))" }.joined(separator: ", ")
                + ": not nested, so no likelihood-ratio test; compare AIC and BIC.")
        }
        let nestedTests = tests.filter(\.nested)
        if !nestedTests.isEmpty {
            notes.append("LR tests between models: " + nestedTests.map { test in
                "(\(test.smaller + 1)) vs (\(test.larger + 1)): chi2(\(test.df)) = \(NumberFormatting.fixed(test.statistic, 2)), p \(test.pValue < 0.0001 ? "" : "= ")\(NumberFormatting.pValue(test.pValue))"
            }.joined(separator: "; ") + ".")
        }
        if reports.count > 1 {
            notes += reports.enumerated().map { "(\($0.offset + 1)) \($0.element.formula)" }
        }
        if refittedWithML { notes.append("Likelihood-ratio tests use ML refits of the REML fits, as lme4's anova() does.") }
        for (k, report) in reports.enumerated() {
            for diagnostic in report.diagnostics { notes.append((reports.count > 1 ? "(\(k + 1)) " : "") + diagnostic.message) }
        }
        let legend = labels.legend(union(reports.map(\.variables)))
        if !legend.isEmpty { notes.append("Variables: " + legend.joined(separator: "; ") + ".") }
        self.init(caption: layout.caption ?? caption, columns: columns, sections: [
            Section(title: "Fixed effects", rows: fixedRows),
            Section(title: "Random effects", rows: randomRows),
            Section(title: "Model fit", rows: fitRows),
        ], notes: notes)
        self.label = layout.label
        longLabels = labels.style == .codebook && fixedRows.contains { $0.label.count > 28 }
    }

    /// The likelihood row's label: what kind of likelihood the columns hold.
    static func likelihoodLabel(_ reports: [FitReport]) -> String {
        let reml = reports.map { $0.method == "REML" && $0.estimator != Estimator.leastSquares.rawValue }
        if reml.allSatisfy({ $0 }) { return "Restricted log likelihood" }
        if reml.contains(true) { return "Log likelihood (REML: restricted)" }
        return "Log likelihood"
    }

    static func methodName(_ report: FitReport) -> String {
        report.estimator == Estimator.profiledLikelihood.rawValue ? report.method : "\(report.method) (\(report.estimator))"
    }
}
