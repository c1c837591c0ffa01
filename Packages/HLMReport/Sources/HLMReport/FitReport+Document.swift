import HLMEstimation

extension FitReport {
    /// The report in the layout Stata's `mixed` prints (the seed's slides): header, fixed effects,
    /// random effects, the LR test against linear regression, then the model in level notation and notes.
    public var document: Document { document(labels: VariableLabels()) }

    /// The report, with a legend of the codebook's variable labels for the variables in the model.
    public func document(labels: VariableLabels) -> Document { document(labels: labels, layout: TableLayout()) }

    /// The report with the table options applied to the fixed effects.
    public func document(labels: VariableLabels, layout: TableLayout) -> Document {
        var document = Document()
        document.append(.heading(title))
        var facts = [Fact("Number of obs", Self.integer(nobs))]
        if let f = fTest {
            facts.append(Fact("F(\(f.df1), \(f.df2))", NumberFormatting.fixed(f.statistic, 2)))
            facts.append(Fact("Prob > F", NumberFormatting.fixed(f.pValue, 4)))
        }
        if let r2 = rSquared, let adjusted = adjustedRSquared {
            facts.append(Fact("R-squared", NumberFormatting.fixed(r2, 4)))
            facts.append(Fact("Adj R-squared", NumberFormatting.fixed(adjusted, 4)))
            facts.append(Fact("Root MSE", NumberFormatting.significant(residualSD ?? .nan, 6)))
        }
        if estimator == Estimator.expectationMaximization.rawValue || estimator == Estimator.fisherScoring.rawValue {
            facts.append(Fact("Optimizer", estimator + (converged ? "" : " (not converged)")))
        }
        for group in groups {
            facts.append(Fact("Group variable", group.name))
            facts.append(Fact("  Number of groups", Self.integer(group.count)))
            facts.append(Fact("  Obs per group: min", Self.integer(group.minSize)))
            facts.append(Fact("                 avg", NumberFormatting.fixed(group.meanSize, 1)))
            facts.append(Fact("                 max", Self.integer(group.maxSize)))
        }
        if let wald = waldTest, fTest == nil {
            facts.append(Fact("Wald chi2(\(wald.df))", NumberFormatting.fixed(wald.statistic, 2)))
            facts.append(Fact("Prob > chi2", NumberFormatting.fixed(wald.pValue, 4)))
        }
        facts.append(Fact(likelihoodLabel, NumberFormatting.fixed(logLikelihood, 4)))
        document.append(.facts(facts))
        document.append(.section("Fixed effects"))
        document.append(.table(fixedEffectsTable(layout: layout, renames: labels.renames)))
        if let tests = termTestsTable {
            document.append(.paragraph("Type III tests of fixed effects:"))
            document.append(.table(tests))
        }
        if let tests = hypothesisTests, !tests.isEmpty {
            document.append(.paragraph("Tests of linear hypotheses:"))
            document.append(.table(Table(header: ["Hypothesis", "Test", "Statistic", "P-value"], rows: tests.map { test in
                let name = test.distribution == "F" ? "F(\(test.numDF), \(NumberFormatting.fixed(test.denDF ?? .nan, 2)))" : "chi2(\(test.numDF))"
                return [test.hypothesis, name, NumberFormatting.fixed(test.statistic, 2), NumberFormatting.pValue(test.pValue)]
            })))
        }
        if let combinations = linearCombinations, !combinations.isEmpty {
            let t = combinations.first?.estimate.df != nil
            document.append(.paragraph("Linear combinations of the fixed effects:"))
            document.append(.table(Table(header: ["", "Coef.", "Std. Err."] + (t ? ["df", "t", "P>|t|"] : ["z", "P>|z|"]) + ["[\(levelText) Conf.", "Interval]"],
                                         rows: combinations.map { c in
                let e = c.estimate
                return [c.expression, Self.coefficient(e.estimate), Self.coefficient(e.stdError)] + (t ? [NumberFormatting.fixed(e.df ?? .nan, 2)] : [])
                    + [NumberFormatting.fixed(e.statistic, 2), NumberFormatting.fixed(e.pValue, 3), Self.coefficient(e.ciLower), Self.coefficient(e.ciUpper)]
            })))
        }
        if !randomEffects.isEmpty {
            document.append(.section("Random effects"))
            document.append(.table(randomEffectsTable(renames: labels.renames)))
        }
        for effect in randomEffects where effect.terms.count > 1 {
            // Stata's estat recovariance.
            let names = effect.terms.map { $0 == "(Intercept)" ? "_cons" : $0 }
            document.append(.paragraph("Random-effects covariance matrix for level \(effect.group):"))
            document.append(.table(Table(header: [""] + names, rows: names.indices.map { a in
                [names[a]] + names.indices.map { b in b <= a ? Self.coefficient(effect.covarianceMatrix[a][b]) : "" }
            })))
        }
        for table in hlmTables { document.append(.table(table)) }
        if !icc.isEmpty {
            document.append(.paragraph(icc.map { entry in
                let interval = entry.ciLower.flatMap { lower in entry.ciUpper.map { upper in
                    "   [\(levelText) CI \(NumberFormatting.fixed(lower, 4)), \(NumberFormatting.fixed(upper, 4))]" } } ?? ""
                return "Intraclass correlation (\(entry.group)) = \(NumberFormatting.fixed(entry.value, 4))" + interval
            }.joined(separator: "\n")))
        }
        if let robust = robustFixedEffects {
            let ordered = robust.filter { $0.name != "(Intercept)" } + robust.filter { $0.name == "(Intercept)" }
            document.append(.paragraph("Fixed effects with cluster-robust standard errors (clusters: \(robustClusters ?? "groups")):"))
            document.append(.table(Table(header: ["", "Coef.", "Robust SE", "z", "P>|z|", "[\(levelText) Conf.", "Interval]"], rows: ordered.map { e in
                [e.name == "(Intercept)" ? "_cons" : e.name, Self.coefficient(e.estimate), Self.coefficient(e.stdError),
                 NumberFormatting.fixed(e.statistic, 2), NumberFormatting.fixed(e.pValue, 3), Self.coefficient(e.ciLower), Self.coefficient(e.ciUpper)]
            })))
        }
        if let lr = lrTestVsLinear {
            let name = lr.distribution == "chibar2" ? "chibar2(01)" : "chi2(\(lr.df))"
            let probability = lr.distribution == "chibar2" ? "Prob >= chibar2" : "Prob > chi2"
            let null = family == "binomial" ? "logistic model" : family == "poisson" ? "Poisson model" : "linear regression"
            document.append(.paragraph("LR test vs. \(null): \(name) = \(NumberFormatting.fixed(lr.statistic, 2))   \(probability) = \(NumberFormatting.fixed(lr.pValue, 4))"))
        }
        if let levels = levelModel {
            document.append(.preformatted(title: "Model in level notation", lines: levels))
        }
        let legend = variables.compactMap { name in labels.labels[name].map { "\(name): \($0)" } }
        if !legend.isEmpty { document.append(.list(title: "Variables", items: legend)) }
        var notes = diagnostics.map(\.message)
        if ddf != nil { notes.append("t and F tests on denominator degrees of freedom by \(ddfName).") }
        if let lr = lrTestVsLinear, lr.distribution == "chi2" {
            notes.append("The LR test is conservative and provided only for reference.")
        }
        if droppedRows > 0 { notes.append("\(droppedRows) rows dropped for missing values.") }
        if !converged && !notes.contains(where: { $0.contains("converge") || $0.contains("gradient") }) {
            notes.append("The optimiser did not report convergence.")
        }
        if !notes.isEmpty { document.append(.notes(notes)) }
        return document
    }

    /// What was fitted, and how: Stata's header line for the estimator.
    var title: String {
        switch Estimator(rawValue: estimator) {
        case .leastSquares?: "Linear regression (OLS)"
        case .swamyArora?: "Random-effects GLS regression (Swamy-Arora variance components)"
        case .swamy?: "Random-coefficients regression (Swamy)"
        case .givenComponents?: "Mixed-effects GLS regression at given variance components"
        default:
            family == "binomial" ? "Mixed-effects \(link == "logit" ? "logistic" : link) regression"
                : family == "poisson" ? "Mixed-effects Poisson regression" : "Mixed-effects \(method) regression"
        }
    }

    /// "Log likelihood" for ML, "Log restricted-likelihood" for REML, and where the components were not
    /// estimated by maximising it, at which values it is.
    var likelihoodLabel: String {
        let base = method == "ML" ? "Log likelihood" : "Log restricted-likelihood"
        switch Estimator(rawValue: estimator) {
        case .swamyArora?, .swamy?, .givenComponents?: return base + " at these components"
        default: return base
        }
    }

    /// "95%" (or the chosen level) for interval headers.
    var levelText: String { NumberFormatting.percent(ciLevel) }

    /// Stata's order: the intercept, named `_cons`, comes last; `layout` keeps, drops and orders rows and
    /// renames are applied (the table options of `--keep`, `--order`, `--rename`), names otherwise as they are.
    var fixedEffectsTable: Table { fixedEffectsTable(layout: TableLayout(), renames: [:]) }

    func fixedEffectsTable(layout: TableLayout, renames: [String: String]) -> Table {
        let stata = fixedEffects.filter { $0.name != "(Intercept)" } + fixedEffects.filter { $0.name == "(Intercept)" }
        let names = layout.arrange(stata.map(\.name))
        let ordered = names.compactMap { name in stata.first { $0.name == name } }
        let renamer = VariableLabels(style: .names, renames: renames)
        let rows = ordered.map { effect in
            [renames.isEmpty ? (effect.name == "(Intercept)" ? "_cons" : effect.name) : (effect.name == "(Intercept)" ? renames["_cons"] ?? "_cons" : renamer.coefficient(effect.name)), Self.coefficient(effect.estimate), Self.coefficient(effect.stdError), NumberFormatting.fixed(effect.statistic, 2),
             NumberFormatting.fixed(effect.pValue, 3), Self.coefficient(effect.ciLower), Self.coefficient(effect.ciUpper)]
        }
        let t = fixedEffects.first?.df != nil
        let coefficientName = eform == true ? (family == "poisson" ? "IRR" : "Odds Ratio") : "Coef."
        guard ddf != nil else {
            return Table(header: ["", coefficientName, "Std. Err.", t ? "t" : "z", t ? "P>|t|" : "P>|z|", "[\(levelText) Conf.", "Interval]"], rows: rows)
        }
        // With --df: the degrees of freedom of each t test beside it (Stata's dfmethod() layout).
        let withDF = zip(ordered, rows).map { effect, row in Array(row[0..<3]) + [NumberFormatting.fixed(effect.df ?? .nan, 2)] + Array(row[3...]) }
        return Table(header: ["", "Coef.", "Std. Err.", "df", "t", "P>|t|", "[\(levelText) Conf.", "Interval]"], rows: withDF)
    }

    /// The F test of each fixed term (type III), with the method of its denominator df.
    var termTestsTable: Table? {
        guard let termTests, !termTests.isEmpty else { return nil }
        return Table(header: ["Term", "NumDF", "DenDF", "F", "Prob > F"], rows: termTests.map { test in
            [test.term, String(test.numDF), NumberFormatting.fixed(test.denDF, 2), NumberFormatting.fixed(test.F, 2), NumberFormatting.pValue(test.pValue)]
        })
    }

    /// "Satterthwaite", "Kenward-Roger" or "residual" for the notes.
    var ddfName: String {
        switch ddf {
        case "satterthwaite": "Satterthwaite's approximation (as lmerTest)"
        case "kenward-roger": "Kenward and Roger's method, with their adjusted standard errors (as pbkrtest)"
        default: "the residual degrees of freedom, n - p"
        }
    }

    var randomEffectsTable: Table { randomEffectsTable(renames: [:]) }

    /// Stata's random-effects table; `renames` (`--rename`) apply to the terms and the groups.
    func randomEffectsTable(renames: [String: String]) -> Table {
        let renamer = VariableLabels(style: .names, renames: renames)
        var rows: [[String]] = []
        var rules: Set<Int> = []
        for effect in randomEffects {
            rows.append(["\(renames[effect.group] ?? effect.group): \(effect.terms.count == 1 && effect.covariance == "unstructured" ? "Identity" : effect.covariance.capitalized)", "", "", "", ""])
            // Stata's order: slopes first, the intercept (`_cons`) last.
            let order = effect.terms.indices.filter { effect.terms[$0] != "(Intercept)" } + effect.terms.indices.filter { effect.terms[$0] == "(Intercept)" }
            let names = effect.terms.map { $0 == "(Intercept)" ? renames["_cons"] ?? "_cons" : renamer.coefficient($0) }
            for k in order {
                if showsVariances {
                    // var = sd²: SE by the delta method, the interval the square of the SD's (Stata's variance).
                    rows.append(["  var(\(names[k]))", Self.coefficient(effect.sd[k] * effect.sd[k])]
                        + Self.inferenceCells(effect.sdStdError.map { 2 * effect.sd[k] * $0[k] }, effect.sdCI?[k].map { $0 * $0 }))
                } else {
                    rows.append(["  sd(\(names[k]))", Self.coefficient(effect.sd[k])]
                        + Self.inferenceCells(effect.sdStdError?[k], effect.sdCI?[k]))
                }
            }
            if effect.covariance == "unstructured" || effect.covariance == "exchangeable" {
                for (i, a) in order.enumerated() { for b in order[(i + 1)...] {
                    if showsVariances {
                        let value = effect.covarianceMatrix[a][b], se = effect.covarianceStdError?[a][b]
                        let z = Distributions.normalQuantile(0.5 + ciLevel / 2)
                        rows.append(["  cov(\(names[a]),\(names[b]))", Self.coefficient(value)]
                            + Self.inferenceCells(se, se.map { [value - z * $0, value + z * $0] }))
                    } else {
                        rows.append(["  corr(\(names[a]),\(names[b]))", Self.coefficient(effect.correlation[a][b])]
                            + Self.inferenceCells(effect.correlationStdError?[a][b], effect.correlationCI?[a][b]))
                    }
                } }
            }
            rules.insert(rows.count - 1)
        }
        if let residualSD {
            if showsVariances {
                rows.append(["var(Residual)", Self.coefficient(residualSD * residualSD)]
                    + Self.inferenceCells(residualSDStdError.map { 2 * residualSD * $0 }, residualSDCI?.map { $0 * $0 }))
            } else {
                rows.append(["sd(Residual)", Self.coefficient(residualSD)] + Self.inferenceCells(residualSDStdError, residualSDCI))
            }
        }
        return Table(header: ["Random-effects Parameters", "Estimate", "Std. Err.", "[\(levelText) Conf.", "Interval]"], rows: rows, rulesAfter: rules)
    }

    /// HLM's table: each random coefficient's reliability and the χ² test that its variance is zero.
    var hlmTable: Table? { hlmTables.first }

    /// One HLM table per random-effects term that has one (every level of a nested model).
    var hlmTables: [Table] { randomEffects.compactMap(Self.hlmTable) }

    static func hlmTable(_ effect: RandomEffect) -> Table? {
        guard let reliability = effect.reliability, let tests = effect.varianceTest else { return nil }
        let rows = effect.terms.indices.map { k in
            [effect.terms[k] == "(Intercept)" ? "_cons" : effect.terms[k], NumberFormatting.fixed(reliability[k], 3),
             NumberFormatting.fixed(tests[k].chi2, 2), String(tests[k].df), NumberFormatting.pValue(tests[k].pValue), String(tests[k].groupsUsed)]
        }
        return Table(header: ["Random coefficient (\(effect.group))", "Reliability", "Chi-square", "df", "P-value", "Groups used"], rows: rows)
    }

    /// SE and interval cells, blank when not computed.
    static func inferenceCells(_ se: Double?, _ interval: [Double]?) -> [String] {
        guard let se, se.isFinite, let interval, interval.count == 2 else { return ["", "", ""] }
        return [coefficient(se), coefficient(interval[0]), coefficient(interval[1])]
    }

    /// Seven significant digits, as Stata's coefficient columns.
    static func coefficient(_ x: Double) -> String {
        NumberFormatting.significant(x, 7)
    }

    static func integer(_ n: Int) -> String {
        String(n)
    }
}

extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
