import HLMEstimation

extension FitReport {
    /// The report in the layout Stata's `mixed` prints (the seed's slides): header, fixed effects,
    /// random effects, the LR test against linear regression, then the model in level notation and notes.
    public var document: Document { document(labels: VariableLabels()) }

    /// The report, with a legend of the codebook's variable labels for the variables in the model.
    public func document(labels: VariableLabels) -> Document {
        var document = Document()
        document.append(.heading("Mixed-effects \(method) regression"))
        var facts = [Fact("Number of obs", Self.integer(nobs))]
        for group in groups {
            facts.append(Fact("Group variable", group.name))
            facts.append(Fact("  Number of groups", Self.integer(group.count)))
            facts.append(Fact("  Obs per group: min", Self.integer(group.minSize)))
            facts.append(Fact("                 avg", NumberFormatting.fixed(group.meanSize, 1)))
            facts.append(Fact("                 max", Self.integer(group.maxSize)))
        }
        if let wald = waldTest {
            facts.append(Fact("Wald chi2(\(wald.df))", NumberFormatting.fixed(wald.statistic, 2)))
            facts.append(Fact("Prob > chi2", NumberFormatting.fixed(wald.pValue, 4)))
        }
        facts.append(Fact(method == "ML" ? "Log likelihood" : "Log restricted-likelihood", NumberFormatting.fixed(logLikelihood, 4)))
        document.append(.facts(facts))
        document.append(.table(fixedEffectsTable))
        document.append(.table(randomEffectsTable))
        for effect in randomEffects where effect.terms.count > 1 {
            // Stata's estat recovariance.
            let names = effect.terms.map { $0 == "(Intercept)" ? "_cons" : $0 }
            document.append(.paragraph("Random-effects covariance matrix for level \(effect.group):"))
            document.append(.table(Table(header: [""] + names, rows: names.indices.map { a in
                [names[a]] + names.indices.map { b in b <= a ? Self.coefficient(effect.covarianceMatrix[a][b]) : "" }
            })))
        }
        if let table = hlmTable { document.append(.table(table)) }
        if !icc.isEmpty {
            document.append(.paragraph(icc.map { "Intraclass correlation (\($0.group)) = \(NumberFormatting.fixed($0.value, 4))" }.joined(separator: "\n")))
        }
        if let robust = robustFixedEffects {
            let ordered = robust.filter { $0.name != "(Intercept)" } + robust.filter { $0.name == "(Intercept)" }
            document.append(.paragraph("Fixed effects with cluster-robust standard errors (clusters: \(robustClusters ?? "groups")):"))
            document.append(.table(Table(header: ["", "Coef.", "Robust SE", "z", "P>|z|", "[95% Conf.", "Interval]"], rows: ordered.map { e in
                [e.name == "(Intercept)" ? "_cons" : e.name, Self.coefficient(e.estimate), Self.coefficient(e.stdError),
                 NumberFormatting.fixed(e.statistic, 2), NumberFormatting.fixed(e.pValue, 3), Self.coefficient(e.ciLower), Self.coefficient(e.ciUpper)]
            })))
        }
        if let lr = lrTestVsLinear {
            let name = lr.distribution == "chibar2" ? "chibar2(01)" : "chi2(\(lr.df))"
            let probability = lr.distribution == "chibar2" ? "Prob >= chibar2" : "Prob > chi2"
            document.append(.paragraph("LR test vs. linear regression: \(name) = \(NumberFormatting.fixed(lr.statistic, 2))   \(probability) = \(NumberFormatting.fixed(lr.pValue, 4))"))
        }
        if let levels = levelModel {
            document.append(.paragraph("Model in level notation:\n" + levels.map { "  " + $0 }.joined(separator: "\n")))
        }
        let legend = variables.compactMap { name in labels.labels[name].map { "  \(name): \($0)" } }
        if !legend.isEmpty { document.append(.paragraph("Variables:\n" + legend.joined(separator: "\n"))) }
        var notes = diagnostics
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

    /// Stata's order: the intercept, named `_cons`, comes last.
    var fixedEffectsTable: Table {
        let ordered = fixedEffects.filter { $0.name != "(Intercept)" } + fixedEffects.filter { $0.name == "(Intercept)" }
        let rows = ordered.map { effect in
            [effect.name == "(Intercept)" ? "_cons" : effect.name, Self.coefficient(effect.estimate), Self.coefficient(effect.stdError), NumberFormatting.fixed(effect.statistic, 2),
             NumberFormatting.fixed(effect.pValue, 3), Self.coefficient(effect.ciLower), Self.coefficient(effect.ciUpper)]
        }
        return Table(header: ["", "Coef.", "Std. Err.", "z", "P>|z|", "[95% Conf.", "Interval]"], rows: rows)
    }

    var randomEffectsTable: Table {
        var rows: [[String]] = []
        var rules: Set<Int> = []
        for effect in randomEffects {
            rows.append(["\(effect.group): \(effect.terms.count == 1 && effect.covariance == "unstructured" ? "Identity" : effect.covariance.capitalized)", "", "", "", ""])
            // Stata's order: slopes first, the intercept (`_cons`) last.
            let order = effect.terms.indices.filter { effect.terms[$0] != "(Intercept)" } + effect.terms.indices.filter { effect.terms[$0] == "(Intercept)" }
            let names = effect.terms.map { $0 == "(Intercept)" ? "_cons" : $0 }
            for k in order {
                rows.append(["  sd(\(names[k]))", Self.coefficient(effect.sd[k])]
                    + Self.inferenceCells(effect.sdStdError?[k], effect.sdCI?[k]))
            }
            if effect.covariance == "unstructured" || effect.covariance == "exchangeable" {
                for (i, a) in order.enumerated() { for b in order[(i + 1)...] {
                    rows.append(["  corr(\(names[a]),\(names[b]))", Self.coefficient(effect.correlation[a][b])]
                        + Self.inferenceCells(effect.correlationStdError?[a][b], effect.correlationCI?[a][b]))
                } }
            }
            rules.insert(rows.count - 1)
        }
        rows.append(["sd(Residual)", Self.coefficient(residualSD)] + Self.inferenceCells(residualSDStdError, residualSDCI))
        return Table(header: ["Random-effects Parameters", "Estimate", "Std. Err.", "[95% Conf.", "Interval]"], rows: rows, rulesAfter: rules)
    }

    /// HLM's table: each random coefficient's reliability and the χ² test that its variance is zero.
    var hlmTable: Table? {
        guard let effect = randomEffects.first, let reliability = effect.reliability, let tests = effect.varianceTest else { return nil }
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
