import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// lme4's four stages as public values, composed by hand: formula → design → objective over θ →
/// optimiser summary → fitted model. The composition gives `LinearMixedModel.fit`'s answer exactly.
@Suite("The staged pipeline")
struct StagedPipelineTests {
    @Test("by hand equals fit", arguments: [
        ("sleepstudy", "Reaction ~ Days + (Days | Subject)"),
        ("penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)"),
        ("pastes", "strength ~ 1 + (1 | batch/cask)"),
    ])
    func byHandEqualsFit(dataset: String, formula: String) throws {
        // Stage 1: the formula, in any notation, as one model.
        let model = try ModelFormula.parse(formula)
        // Stage 2: the design (X, Z, y) from the data.
        let design = try model.design(for: try Fixtures.frame(dataset))
        // Stage 3: the objective over θ, with its bounds and start.
        let deviance = ProfiledDeviance(design, criterion: .reml)
        let parameters = deviance.parameters
        #expect(parameters.lowerBounds.count == deviance.parameterCount)
        let start = deviance.startingPoint()
        // Stage 4: the optimiser, then the fitted model read off the factor.
        let summary = BOBYQA.minimize(deviance.evaluate, start: start.theta, lower: parameters.lowerBounds, upper: parameters.upperBounds,
                                      initialSteps: [Double](repeating: start.initialStep, count: start.theta.count))
        let byHand = try LinearMixedModel(deviance: deviance, summary: summary)
        let fitted = try LinearMixedModel.fit(design, criterion: .reml)
        #expect(byHand.theta == fitted.theta)
        #expect(byHand.beta == fitted.beta)
        #expect(byHand.sigma == fitted.sigma)
        #expect(byHand.logLikelihood == fitted.logLikelihood)
        // The extraction steps one by one.
        let solution = try #require(FactorSolution(deviance: deviance, theta: fitted.theta))
        #expect(solution.beta == fitted.beta)
        #expect(solution.betaCovariance == fitted.betaCovariance)
        #expect(solution.conditionalModes(deviance) == fitted.conditionalModes)
        #expect(solution.components(deviance) == fitted.components)
        // λ from θ, per term: Σ = σ² λ λ'.
        let lambda = try #require(parameters.lambda(fitted.theta, term: 0))
        #expect(Tolerance.isClose(fitted.components[0].covarianceMatrix[0][0], fitted.sigma * fitted.sigma * lambda[0] * lambda[0], relative: 1e-12))
    }
}

/// The slow suite (HLM_TEST_LEVEL=2): every bundled dataset's reference fits refitted by the classical
/// algorithms too, which must reach the profiled optimum's likelihood.
@Suite("Classical algorithms on every reference fit", .enabled(if: TestLevel.thorough))
struct ThoroughClassicalTests {
    @Test(arguments: (try? ReferenceFit.all())?.filter { $0.filter == nil } ?? [])
    func fisherScoringReachesTheOptimum(_ reference: ReferenceFit) throws {
        let design = try ModelFormula.parse(reference.formula).design(for: try Fixtures.frame(reference.dataset))
        let criterion: ProfiledDeviance.Criterion = reference.method == "ML" ? .ml : .reml
        let fit = try ClassicalEstimation.fit(design, criterion: criterion, algorithm: .fisherScoring)
        // Never above the optimum; at it when it says it converged.
        #expect(fit.logLikelihood <= reference.logLik + 1e-6 * abs(reference.logLik), "\(reference)")
        if fit.converged { #expect(fit.logLikelihood >= reference.logLik - 1e-6 * abs(reference.logLik), "\(reference)") }
    }
}
