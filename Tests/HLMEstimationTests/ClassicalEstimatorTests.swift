import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// EM and Fisher scoring reach the profiled BOBYQA optimum on the reference models (1e-6 in log-likelihood).
@Suite("EM and Fisher scoring")
struct ClassicalEstimatorTests {
    static func design(_ reference: ReferenceFit) throws -> ModelDesign {
        var frame = try Fixtures.frame(reference.dataset)
        if let filter = reference.filter {
            frame = frame.filter(try RowFilter.parse(filter).evaluate(on: frame, expression: filter))
        }
        return try ModelFormula.parse(reference.formula).design(for: frame)
    }

    @Test("same optimum as BOBYQA", arguments: ReferenceFitTests.references)
    func sameOptimum(_ reference: ReferenceFit) throws {
        let design = try Self.design(reference)
        let criterion: ProfiledDeviance.Criterion = reference.method == "ML" ? .ml : .reml
        let profiled = try LinearMixedModel.fit(design, criterion: criterion)
        for algorithm in ClassicalEstimation.Algorithm.allCases {
            let fit = try ClassicalEstimation.fit(design, criterion: criterion, algorithm: algorithm)
            if ProcessInfo.processInfo.environment["HLM_VERBOSE"] != nil {
                print("\(reference): \(algorithm.rawValue) \(fit.optimization.evaluations) iterations, logLik \(fit.logLikelihood) vs \(profiled.logLikelihood)")
            }
            #expect(abs(fit.logLikelihood - profiled.logLikelihood) < 1e-6,
                    "\(algorithm.rawValue): \(Tolerance.describe("logLik", fit.logLikelihood, profiled.logLikelihood)) after \(fit.optimization.evaluations) iterations")
            for (a, b) in zip(fit.beta, profiled.beta) {
                #expect(Tolerance.isClose(a, b, relative: 1e-4, absolute: 1e-6), "\(algorithm.rawValue) β")
            }
        }
    }
}
