import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// All 12 lme4 reference fits: log-likelihood never below the reference (1e-8 relative), fixed effects
/// within 1e-4 relative (or 1e-3 of their SE), SEs, SDs and correlations within 1e-3 relative.
@Suite("lme4 reference fits")
struct ReferenceFitTests {
    static let references: [ReferenceFit] = (try? ReferenceFit.all()) ?? []

    static func fit(_ reference: ReferenceFit) throws -> LinearMixedModel {
        var frame = try Fixtures.frame(reference.dataset)
        if let filter = reference.filter {
            frame = frame.filter(try RowFilter.parse(filter).evaluate(on: frame, expression: filter))
        }
        let design = try ModelFormula.parse(reference.formula).design(for: frame)
        return try LinearMixedModel.fit(design, criterion: reference.method == "ML" ? .ml : .reml)
    }

    @Test func allTwelveAreHere() {
        #expect(Self.references.count == 12)
    }

    @Test("matches lme4", arguments: references)
    func matches(_ reference: ReferenceFit) throws {
        let fit = try Self.fit(reference)
        #expect(fit.observationCount == reference.nobs)
        #expect(fit.logLikelihood >= reference.logLik - 1e-8 * abs(reference.logLik),
                "\(Tolerance.describe("logLik", fit.logLikelihood, reference.logLik))")
        for (name, count) in reference.ngroups {
            let ours = ReferenceFit.ourGroupName(name)
            #expect(fit.design.randomTerms.first { $0.groupName == ours }?.groupCount == count, "groups of \(ours)")
        }
        #expect(fit.design.fixedNames == reference.fixef.map(\.name))
        for (k, expected) in reference.fixef.enumerated() where k < fit.beta.count {
            let close = Tolerance.isClose(fit.beta[k], expected.estimate, relative: 1e-4, absolute: 1e-3 * expected.stdError)
            #expect(close, "\(Tolerance.describe(expected.name, fit.beta[k], expected.estimate))")
            #expect(Tolerance.isClose(fit.standardErrors[k], expected.stdError, relative: 1e-3),
                    "\(Tolerance.describe("SE " + expected.name, fit.standardErrors[k], expected.stdError))")
        }
        for entry in reference.varcorr {
            let actual = Self.sdcor(fit, entry)
            #expect(Tolerance.isClose(actual, entry.sdcor, relative: 1e-3, absolute: 1e-6),
                    "\(Tolerance.describe("\(entry.group) \(entry.var1 ?? "") \(entry.var2 ?? "")", actual, entry.sdcor))")
        }
    }

    /// Our value for one row of lme4's VarCorr table.
    static func sdcor(_ fit: LinearMixedModel, _ entry: ReferenceFit.VarCorr) -> Double {
        if entry.group == "Residual" { return fit.sigma }
        let group = ReferenceFit.ourGroupName(entry.group)
        for component in fit.components where component.group == group {
            guard let a = component.terms.firstIndex(of: entry.var1 ?? "") else { continue }
            if let var2 = entry.var2 {
                guard let b = component.terms.firstIndex(of: var2) else { continue }
                return component.correlation[a][b]
            }
            return component.sd[a]
        }
        return .nan
    }
}
