import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Issue 12's silent wrong answers and R users' functions, each against R (lme4 or lm; the values in
/// `Examples/data/reference-fidelity.json`, from `Tools/crosscheck-fidelity.R`). Log-likelihoods at or
/// above R's less 1e-8 of it; fixed effects within 1e-5 relative (or 1e-6 absolute); σ within 1e-4.
@Suite("Fidelity to R")
struct FidelityTests {
    static func frame(_ dataset: String, filter: String? = nil) throws -> DataFrame {
        var frame = try DataLoading.load(dataPath: Fixtures.path("\(dataset).csv")).0
        if let filter { frame = frame.filter(try RowFilter.parse(filter).evaluate(on: frame, expression: filter)) }
        return frame
    }

    static func fit(_ formula: String, _ dataset: String, filter: String? = nil, criterion: ProfiledDeviance.Criterion,
                    weights: String? = nil) throws -> LinearMixedModel {
        let frame = try frame(dataset, filter: filter)
        var design = try ModelFormula.parse(formula).design(for: frame)
        if let weights { design = try design.weighted(by: weights, in: frame) }
        return try LinearMixedModel.fit(design, criterion: criterion)
    }

    /// The fit agrees with R's case `name`; `names` maps our coefficient names to R's.
    static func expectMatches(_ fit: LinearMixedModel, _ name: String, names: [String: String] = [:]) {
        let reference = FidelityReference.number(name, "logLik")
        #expect(fit.logLikelihood >= reference - 1e-8 * abs(reference), "\(Tolerance.describe("logLik", fit.logLikelihood, reference))")
        let fixed = FidelityReference.fixedEffects(name)
        #expect(fixed.count == fit.beta.count, "\(fit.design.fixedNames) against \(fixed.keys.sorted())")
        for (k, ours) in fit.design.fixedNames.enumerated() {
            guard let expected = fixed[names[ours] ?? ours] else {
                Issue.record("no R coefficient for \(ours)")
                continue
            }
            #expect(Tolerance.isClose(fit.beta[k], expected, relative: 1e-5, absolute: 1e-6), "\(Tolerance.describe(ours, fit.beta[k], expected))")
        }
        #expect(Tolerance.isClose(fit.sigma, FidelityReference.number(name, "sigma"), relative: 1e-4))
    }

    // MARK: Silent wrong answers

    @Test func stataQuadraticIsNotDropped() throws {
        // c.lrt##c.lrt is lrt + lrt², c.lrt#c.lrt is lrt² alone (Stata's mixed: ML).
        let full = try Self.fit("mixed gcse c.lrt##c.lrt || school: if nstu > 4", "gcse", filter: "nstu > 4", criterion: .ml)
        Self.expectMatches(full, "quadratic", names: ["c.lrt#c.lrt": "I(lrt^2)"])
        let square = try Self.fit("mixed gcse c.lrt#c.lrt || school:", "gcse", filter: "nstu > 4", criterion: .ml)
        Self.expectMatches(square, "quadraticOnly", names: ["c.lrt#c.lrt": "I(lrt^2)"])
    }

    @Test func hlmChiSquareHoldsFixedSlopesAtTheirEstimates() throws {
        let fit = try Self.fit("gcse ~ lrt + (1 | school)", "gcse", filter: "nstu > 4", criterion: .ml)
        let tables = try #require(HLMTables(fit))
        #expect(Tolerance.isClose(tables.varianceTests[0].chi2, FidelityReference.number("hlmChiSquare", "chi2"), relative: 1e-6))
        #expect(tables.varianceTests[0].df == Int(FidelityReference.number("hlmChiSquare", "df")))
        #expect(Tolerance.isClose(tables.reliability[0], FidelityReference.number("hlmChiSquare", "reliability"), relative: 1e-6))
    }

    @Test func singularFitFollowsIsSingular() throws {
        // lme4: correlation +1, a diagonal of the relative factor at 0: isSingular TRUE.
        let singular = try Self.fit("gcse ~ girl + (girl | school)", "gcse", criterion: .ml)
        #expect(singular.singular)
        #expect(singular.diagnostics.contains { $0.kind == .singularFit })
        // sleepstudy's first three days: correlation -0.5, not singular in lme4.
        let regular = try Self.fit("Reaction ~ Days + (Days | Subject)", "sleepstudy", filter: "Days < 3", criterion: .ml)
        #expect(regular.singular == (FidelityReference.case("nearSingular")["singular"] as! Bool))
        let reference = FidelityReference.number("nearSingular", "logLik")
        #expect(regular.logLikelihood >= reference - 1e-8 * abs(reference))
    }

    @Test func emReportsConvergenceOnlyWhereTheGradientIsSmall() throws {
        let design = try ModelFormula.parse("gcse ~ lrt + (lrt | school)").design(for: try Self.frame("gcse"))
        let fit = try ClassicalEstimation.fit(design, criterion: .reml, algorithm: .em)
        // EM stops on its slow steps before the optimum here; every report reads `converged` and the diagnostics.
        #expect(fit.converged == !fit.diagnostics.contains { $0.kind == .notConverged })
        #expect(!fit.optimization.returnMessage.contains("converged"))
        #expect(fit.estimator == .expectationMaximization)
    }

    @Test func compareRefitsREMLByML() throws {
        let small = try Self.fit("Reaction ~ Days + (1 | Subject)", "sleepstudy", criterion: .reml)
        let large = try Self.fit("Reaction ~ Days + (Days | Subject)", "sleepstudy", criterion: .reml)
        let refit = try ModelComparison([small, large])
        #expect(refit.refittedWithML)
        #expect(Tolerance.isClose(refit.tests[0].statistic, FidelityReference.number("anovaRefit", "chisq"), relative: 1e-6))
        #expect(refit.tests[0].df == 2)
        let kept = try ModelComparison([small, large], refit: false)
        #expect(!kept.refittedWithML)
        #expect(Tolerance.isClose(kept.tests[0].statistic, FidelityReference.number("anovaNoRefit", "chisq"), relative: 1e-6))
    }

    @Test func nonNestedModelsGetNoTest() throws {
        let a = try Self.fit("gcse ~ lrt + (1 | school)", "gcse", criterion: .ml)
        let b = try Self.fit("gcse ~ girl + (girl | school)", "gcse", criterion: .ml)
        let comparison = try ModelComparison([a, b])
        #expect(comparison.tests.count == 1)
        #expect(!comparison.tests[0].nested)
        #expect(comparison.tests[0].pValue.isNaN)
    }

    // MARK: R users

    @Test func orthogonalPolynomialsAsR() throws {
        Self.expectMatches(try Self.fit("Reaction ~ poly(Days, 2) + (1 | Subject)", "sleepstudy", criterion: .reml), "poly")
    }

    @Test func scaleAsR() throws {
        Self.expectMatches(try Self.fit("gcse ~ scale(lrt) + (1 | school)", "gcse", filter: "nstu > 4", criterion: .reml), "scale")
    }

    @Test func relevelAsR() throws {
        let fit = try Self.fit("gcse ~ lrt + relevel(factor(schgend), ref = \"3\") + (1 | school)", "gcse", filter: "nstu > 4", criterion: .reml)
        let r = "relevel(factor(schgend), ref = \"3\")"
        Self.expectMatches(fit, "relevel", names: ["schgend[mixed]": r + "1", "schgend[boys]": r + "2"])
    }

    @Test func factorLevelsAsR() throws {
        let fit = try Self.fit("gcse ~ lrt + factor(schgend, levels = c(2, 3, 1)) + (1 | school)", "gcse", filter: "nstu > 4", criterion: .reml)
        let r = "factor(schgend, levels = c(2, 3, 1))"
        Self.expectMatches(fit, "factorLevels", names: ["schgend[girls]": r + "3", "schgend[mixed]": r + "1"])
    }

    @Test func offsetAsR() throws {
        Self.expectMatches(try Self.fit("gcse ~ lrt + offset(0.5 * lrt) + (1 | school)", "gcse", filter: "nstu > 4", criterion: .reml), "offset")
    }

    @Test("prior weights as lmer(weights = w)", arguments: [
        ("Reaction ~ Days + (Days | Subject)", ProfiledDeviance.Criterion.reml, "weightsREML"),
        ("Reaction ~ Days + (Days | Subject)", .ml, "weightsML"),
        ("Reaction ~ Days + (1 | Subject)", .ml, "weightsIntercept"),
    ])
    func weightsAsLme4(formula: String, criterion: ProfiledDeviance.Criterion, name: String) throws {
        Self.expectMatches(try Self.fit(formula, "sleepstudy-weights", criterion: criterion, weights: "w"), name)
    }

    @Test("weights under EM and Fisher scoring", arguments: [ClassicalEstimation.Algorithm.em, .fisherScoring])
    func weightsUnderClassicalAlgorithms(algorithm: ClassicalEstimation.Algorithm) throws {
        let frame = try Self.frame("sleepstudy-weights")
        let design = try ModelFormula.parse("Reaction ~ Days + (1 | Subject)").design(for: frame).weighted(by: "w", in: frame)
        Self.expectMatches(try ClassicalEstimation.fit(design, criterion: .ml, algorithm: algorithm), "weightsIntercept")
    }

    @Test func badWeightsNameTheRow() throws {
        let frame = try CSVReader().read(string: "y,x,g,w\n1,1,a,1\n2,2,a,0\n3,1,b,1\n4,3,b,2\n")
        let design = try ModelFormula.parse("y ~ x + (1 | g)").design(for: frame)
        #expect(throws: DataError.self) { try design.weighted(by: "w", in: frame) }
        do { _ = try design.weighted(by: "w", in: frame) } catch { #expect("\(error)".contains("data row 2")) }
    }

    // MARK: The seed's special cases

    @Test func noRandomTermIsLeastSquaresAsLm() throws {
        let design = try ModelFormula.parse("gcse ~ lrt + girl").design(for: try Self.frame("gcse", filter: "nstu > 4"))
        let fit = try LinearMixedModel.fitLeastSquares(design)
        #expect(fit.estimator == .leastSquares)
        let coefficients = FidelityReference.fixedEffects("ols", key: "coef"), errors = FidelityReference.fixedEffects("ols", key: "se")
        for (k, name) in design.fixedNames.enumerated() {
            #expect(Tolerance.isClose(fit.beta[k], coefficients[name]!, relative: 1e-9))
            #expect(Tolerance.isClose(fit.standardErrors[k], errors[name]!, relative: 1e-9))
        }
        #expect(Tolerance.isClose(fit.logLikelihood, FidelityReference.number("ols", "logLik"), relative: 1e-10))
        #expect(Tolerance.isClose(fit.aic, FidelityReference.number("ols", "aic"), relative: 1e-10))
        #expect(Tolerance.isClose(fit.sigma, FidelityReference.number("ols", "sigma"), relative: 1e-10))
        #expect(Tolerance.isClose(fit.rSquared!.r2, FidelityReference.number("ols", "r2"), relative: 1e-10))
        // lm's t test on n − p df.
        #expect(fit.fixedEffectTable().allSatisfy { $0.df == Double(fit.observationCount - 3) })
    }

    @Test("the seed's special cases in the three notations", arguments: [
        ("anova", ["gcse ~ 1 + (1 | school)", "gcse || school:", "gcse = b0 + r; b0 = g00 + u0"], "gcse"),
        ("threeLevel", ["strength ~ 1 + (1 | batch/cask)", "strength || batch: || cask:",
                        "strength = b0 + r; b0 = g00 + u0; g00 = d000 + v00", "strength = pi0 + e; pi0 = b00 + r0; b00 = g000 + u00"], "pastes"),
    ])
    func specialCases(name: String, formulas: [String], dataset: String) throws {
        for formula in formulas {
            let model = try ModelFormula.parse(formula, groups: dataset == "pastes" ? ["cask", "batch"] : ["school"])
            let fit = try LinearMixedModel.fit(try model.design(for: try Self.frame(dataset)), criterion: .reml)
            Self.expectMatches(fit, name)
        }
    }

    @Test func hlmTablesAtEveryLevel() throws {
        let fit = try Self.fit("strength ~ 1 + (1 | batch/cask)", "pastes", criterion: .reml)
        let levels = HLMTables.levels(fit)
        #expect(levels.count == 2)
        for (k, name) in fit.design.randomTerms.map(\.groupName).enumerated() {
            let key = name == "batch" ? "batch" : "cask"
            let table = try #require(levels[k])
            #expect(Tolerance.isClose(table.reliability[0], FidelityReference.number("threeLevelTables", key, "reliability"), relative: 1e-5))
            #expect(Tolerance.isClose(table.varianceTests[0].chi2, FidelityReference.number("threeLevelTables", key, "chi2"), relative: 1e-5))
            #expect(table.varianceTests[0].df == Int(FidelityReference.number("threeLevelTables", key, "df")))
        }
    }
}
