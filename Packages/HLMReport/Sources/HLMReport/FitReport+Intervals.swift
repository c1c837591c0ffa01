import HLMEstimation

/// The report's intervals made another way than Wald's (`--ci`): each ci*/…CI field is replaced by the
/// method's, and `ciMethod` says which.
extension FitReport {
    /// Profile-likelihood intervals (lme4's `confint(method = "profile")`).
    public mutating func apply(_ profile: ProfileIntervals) {
        ciMethod = "profile"
        applyVariance(sd: profile.sd, correlation: profile.correlation, sigma: profile.sigma)
        if let fixed = profile.fixed {
            for j in fixedEffects.indices where j < fixed.count { (fixedEffects[j].ciLower, fixedEffects[j].ciUpper) = (fixed[j][0], fixed[j][1]) }
        }
        if profile.refittedByML {
            diagnostics.append(DiagnosticEntry(code: "ci-profile-ml",
                message: "the profile intervals are of the ML deviance (the model refitted by ML), as lme4's confint profiles it"))
        }
        if !icc.isEmpty {
            diagnostics.append(DiagnosticEntry(code: "ci-icc-delta", message: "the intraclass correlations' intervals are by the delta method on the logit scale"))
        }
    }

    /// Percentile intervals of a parametric bootstrap (lme4's `confint(method = "boot")`).
    public mutating func apply(_ bootstrap: BootstrapIntervals) {
        ciMethod = "bootstrap"
        self.bootstrap = BootstrapSummary(replicates: bootstrap.replicates, seed: bootstrap.seed, singular: bootstrap.singular,
                                          notConverged: bootstrap.notConverged, failed: bootstrap.failed)
        applyVariance(sd: bootstrap.sd, correlation: bootstrap.correlation, sigma: bootstrap.sigma)
        for j in fixedEffects.indices where j < bootstrap.fixed.count {
            (fixedEffects[j].ciLower, fixedEffects[j].ciUpper) = (bootstrap.fixed[j][0], bootstrap.fixed[j][1])
        }
        for k in icc.indices where k < bootstrap.icc.count { (icc[k].ciLower, icc[k].ciUpper) = (bootstrap.icc[k][0], bootstrap.icc[k][1]) }
        var remark = "parametric bootstrap: \(bootstrap.replicates) replicates (seed \(bootstrap.seed)), percentile intervals"
        let troubles = [(bootstrap.singular, "singular"), (bootstrap.notConverged, "not converged"), (bootstrap.failed, "could not be fitted and were left out")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !troubles.isEmpty { remark += "; of them " + troubles.joined(separator: ", ") }
        diagnostics.append(DiagnosticEntry(code: "ci-bootstrap", message: remark))
    }

    private mutating func applyVariance(sd: [[[Double]]], correlation: [[[[Double]]]], sigma: [Double]) {
        for k in randomEffects.indices where k < sd.count {
            randomEffects[k].sdCI = sd[k]
            randomEffects[k].correlationCI = correlation[k]
        }
        residualSDCI = sigma
    }
}
