import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Issue 6's estimators against other implementations. Golden values: `Rscript Tools/crosscheck-inference.R`
/// (R 4.2: lme4 1.1, nlme 3.1-162, plm 2.6-2, clubSandwich 0.5.8), GCSE data with nstu > 4.
@Suite("Cross-checks with R")
struct CrossCheckTests {
    static func design(_ formula: String, dataset: String = "gcse") throws -> ModelDesign {
        var frame = try Fixtures.frame(dataset)
        if dataset == "gcse" { frame = frame.filter(try RowFilter.parse("nstu > 4").evaluate(on: frame, expression: "nstu > 4")) }
        return try ModelFormula.parse(formula).design(for: frame)
    }

    @Test func stataIndependentMatchesLme4DoubleBar() throws {
        // lme4: lmer(gcse ~ lrt + (lrt || school), REML = FALSE)
        let stata = try LinearMixedModel.fit(try Self.design("gcse lrt || school: lrt, covariance(independent) mle"), criterion: .ml)
        let lme4 = try LinearMixedModel.fit(try Self.design("gcse ~ lrt + (lrt || school)"), criterion: .ml)
        for fit in [stata, lme4] {
            #expect(fit.logLikelihood >= -14002.541777 - 1e-6)
            #expect(Tolerance.isClose(fit.beta[0], -0.07154665225, relative: 1e-5))
            #expect(Tolerance.isClose(fit.beta[1], 0.55713360654, relative: 1e-6))
            #expect(Tolerance.isClose(fit.components[0].sd[0], 3.0114004027, relative: 1e-5))
            #expect(Tolerance.isClose(fit.components[0].sd[1], 0.1196433884, relative: 1e-5))
            #expect(Tolerance.isClose(fit.sigma, 7.4419638675, relative: 1e-6))
            #expect(fit.components[0].correlation[0][1] == 0)
        }
    }

    @Test func stataExchangeableMatchesNlmeCompoundSymmetry() throws {
        // nlme: lme(gcse ~ lrt, random = list(school = pdCompSymm(~ lrt)), method = "ML"): logLik −14136.5359855,
        // common SD 1.708619909, correlation 0.042 (printed), residual SD 7.465616185.
        let fit = try LinearMixedModel.fit(try Self.design("gcse lrt || school: lrt, covariance(exchangeable) mle"), criterion: .ml)
        #expect(fit.logLikelihood >= -14136.5359855 - 1e-6)
        #expect(abs(fit.logLikelihood - -14136.5359855) < 1e-5)
        #expect(Tolerance.isClose(fit.beta[0], -0.09535825892, relative: 1e-5))
        #expect(Tolerance.isClose(fit.beta[1], 0.54652314194, relative: 1e-6))
        #expect(Tolerance.isClose(fit.components[0].sd[0], 1.708619909, relative: 1e-5))
        #expect(Tolerance.isClose(fit.components[0].sd[0], fit.components[0].sd[1], relative: 1e-12))
        #expect(abs(fit.components[0].correlation[0][1] - 0.042) < 0.0005)
        #expect(Tolerance.isClose(fit.sigma, 7.465616185, relative: 1e-6))
    }

    @Test func swamyAroraMatchesPlm() throws {
        // plm(gcse ~ lrt, model = "random", random.method = "swar"): β, ercomp σ²; plm rescales its SEs by the
        // transformed regression's residual variance, we keep GLS at the estimated components (within 0.5%).
        let fit = try MomentEstimators.swamyArora(try Self.design("gcse ~ lrt + (1 | school)"))
        #expect(Tolerance.isClose(fit.beta[0], 0.03853312812, relative: 1e-8))
        #expect(Tolerance.isClose(fit.beta[1], 0.56415417910, relative: 1e-8))
        #expect(Tolerance.isClose(fit.components[0].covarianceMatrix[0][0], 7.481562277, relative: 1e-8))
        #expect(Tolerance.isClose(fit.sigma * fit.sigma, 56.576547850, relative: 1e-8))
        #expect(Tolerance.isClose(fit.standardErrors[0], 0.36637676143, relative: 5e-3))
        #expect(Tolerance.isClose(fit.standardErrors[1], 0.01247767246, relative: 5e-3))
    }

    @Test func swamyRandomCoefficientsMatchesPlm() throws {
        // pvcm(gcse ~ lrt, model = "random"): β, SEs and Δ.
        let fit = try MomentEstimators.swamyRandomCoefficients(try Self.design("gcse ~ lrt + (lrt | school)"))
        #expect(Tolerance.isClose(fit.beta[0], -0.1183350924, relative: 1e-8))
        #expect(Tolerance.isClose(fit.beta[1], 0.5477446821, relative: 1e-8))
        #expect(Tolerance.isClose(fit.standardErrors[0], 0.40686307184, relative: 1e-8))
        #expect(Tolerance.isClose(fit.standardErrors[1], 0.02056422233, relative: 1e-8))
        let delta = fit.components[0].covarianceMatrix
        #expect(Tolerance.isClose(delta[0][0], 9.4770959255, relative: 1e-8))
        #expect(Tolerance.isClose(delta[0][1], 0.22243749875, relative: 1e-8))
        #expect(Tolerance.isClose(delta[1][1], 0.01653645503, relative: 1e-8))
    }

    @Test func robustStandardErrorsMatchClubSandwich() throws {
        // clubSandwich::vcovCR(lme(Reaction ~ Days, random = ~ Days | Subject, REML), type = "CR0").
        let fit = try LinearMixedModel.fit(try Self.design("Reaction ~ Days + (Days | Subject)", dataset: "sleepstudy"), criterion: .reml)
        let robust = try #require(fit.robustStandardErrors)
        #expect(Tolerance.isClose(robust[0], 6.632276807, relative: 1e-6))
        #expect(Tolerance.isClose(robust[1], 1.502236782, relative: 1e-6))
    }

    @Test func hlmReliabilityAndVarianceTests() throws {
        // Per-school lm() and lme4's ML estimates, R&B eqs 3.55 and 3.103 (script above).
        let fit = try LinearMixedModel.fit(try Self.design("gcse ~ lrt + (lrt | school)"), criterion: .ml)
        let tables = try #require(HLMTables(fit))
        // Reliabilities are functions of τ̂, which this likelihood pins down only to about 1e-5: two
        // optimiser paths that end 8e-10 apart in log-likelihood (6e-14 relative, below its rounding
        // noise) give reliabilities 1.3e-6 apart. Hence 1e-5, not the 1e-6 the χ² tests keep.
        #expect(Tolerance.isClose(tables.reliability[0], 0.8811722387, relative: 1e-5))
        #expect(Tolerance.isClose(tables.reliability[1], 0.5632093052, relative: 1e-5))
        #expect(Tolerance.isClose(tables.varianceTests[0].chi2, 576.4617131, relative: 1e-6))
        #expect(Tolerance.isClose(tables.varianceTests[1].chi2, 152.5173764, relative: 1e-6))
        #expect(tables.varianceTests.map(\.groupsUsed) == [64, 64])
        #expect(tables.varianceTests.map(\.df) == [63, 63])
    }

    @Test func glsAtTheMLComponentsReproducesTheMLBeta() throws {
        let design = try Self.design("gcse ~ lrt * schgend + (lrt | school)")
        let ml = try LinearMixedModel.fit(design, criterion: .ml)
        let gls = try LinearMixedModel.fitGLS(design, covariances: [ml.components[0].covarianceMatrix], residualVariance: ml.sigma * ml.sigma)
        for (a, b) in zip(gls.beta, ml.beta) { #expect(Tolerance.isClose(a, b, relative: 1e-10, absolute: 1e-12)) }
        for (a, b) in zip(gls.standardErrors, ml.standardErrors) { #expect(Tolerance.isClose(a, b, relative: 1e-8)) }
        let parsed = try VarianceSpecification(parsing: "school: 7.849 0.2004 0.01437; residual: 55.40", for: design)
        #expect(parsed.covariances == [[[7.849, 0.2004], [0.2004, 0.01437]]])
        #expect(throws: EstimationError.self) { try VarianceSpecification(parsing: "school: 1 2; residual: 3", for: design) }
        #expect(throws: EstimationError.self) { try VarianceSpecification(parsing: "class: 1 0 1; residual: 3", for: design) }
    }
}
