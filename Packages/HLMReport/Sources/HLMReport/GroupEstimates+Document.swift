import HLMEstimation

extension GroupEstimates {
    /// One row per group: size, then for each coefficient its OLS estimate (SE), EB estimate (SE) and shrinkage.
    public var document: Document {
        var header = [group, "n"]
        for term in terms {
            let name = term == "(Intercept)" ? "_cons" : term
            header += ["OLS \(name)", "(SE)", "EB \(name)", "(SE)", "shrinkage"]
        }
        let rows = groups.map { g -> [String] in
            var row = [g.name, String(g.size)]
            for k in terms.indices {
                row.append(g.ols.map { NumberFormatting.significant($0[k], 5) } ?? ".")
                row.append(g.olsStdError.map { NumberFormatting.significant($0[k], 4) } ?? ".")
                row.append(NumberFormatting.significant(g.empiricalBayes[k], 5))
                row.append(g.empiricalBayesStdError.map { NumberFormatting.significant($0[k], 4) } ?? ".")
                row.append(g.shrinkage.map { NumberFormatting.fixed($0[k], 3) } ?? ".")
            }
            return row
        }
        return Document([
            .heading("Group estimates: \(group) (\(groups.count) groups)"),
            .table(Table(header: header, rows: rows)),
            .notes([
                "OLS: the group's own least-squares fit (\".\" where it has too few rows); EB: fixed part plus the conditional mode.",
                "EB standard errors are conditional on the estimated variance components and fixed effects (lme4's condVar).",
                "Shrinkage: 1 − τ/(τ + v_j), the weight the EB estimate gives the fixed part instead of the group's OLS.",
            ]),
        ])
    }
}
