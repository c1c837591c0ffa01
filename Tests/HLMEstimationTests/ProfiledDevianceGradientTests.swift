import Foundation
@testable import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// The analytic gradient of the profiled criterion against central differences of the criterion, for
/// ML and REML, scalar and vector terms, one term and several, a scalar first term and a vector one.
@Suite("Profiled deviance gradient")
struct ProfiledDevianceGradientTests {
    static let cases: [(formula: String, rows: Int, levels: [Int])] = [
        ("y ~ x + (1 | f1)", 600, [40]),
        ("y ~ x + (x | f1)", 600, [40]),
        ("y ~ x + (1 | f1) + (1 | f2) + (1 | f3)", 2000, [120, 60, 7]),
        ("y ~ x + (x | f1) + (1 | f2)", 2000, [120, 60]),
        ("y ~ x + (1 | f1) + (x | f2)", 2000, [120, 60]),
        ("y ~ x + (1 | f1) + (x || f2)", 2000, [120, 60]),
    ]

    @Test("the gradient equals central differences", arguments: [0, 1, 2, 3, 4, 5], [ProfiledDeviance.Criterion.ml, .reml])
    func gradientMatchesDifferences(_ index: Int, _ criterion: ProfiledDeviance.Criterion) throws {
        let (formula, rows, levels) = Self.cases[index]
        let frame = Simulation.crossed(rows: rows, levels: levels, seed: UInt64(7 + index))
        let design = try ModelFormula.parse(formula).design(for: frame)
        let deviance = ProfiledDeviance(design, criterion: criterion)
        #expect(deviance.hasGradient)
        let start = deviance.parameters.initial
        for scale in [1.0, 0.4, 1.7] {
            // Off-diagonals of λ away from 0, so that every kind of entry is exercised.
            let theta = start.indices.map { start[$0] == 0 ? 0.3 * scale : scale * (1 + 0.1 * Double($0)) }
            guard let (value, gradient) = deviance.valueAndGradient(theta) else {
                Issue.record("\(formula): no gradient at θ = \(theta)")
                continue
            }
            #expect(abs(value - deviance.evaluate(theta)) <= 1e-12 * abs(value))
            for j in theta.indices {
                let h = 1e-5 * max(1, abs(theta[j]))
                var plus = theta, minus = theta
                plus[j] += h
                minus[j] -= h
                let difference = (deviance.evaluate(plus) - deviance.evaluate(minus)) / (2 * h)
                #expect(abs(gradient[j] - difference) <= 1e-5 * max(1, abs(difference)),
                        "\(formula) \(criterion) θ = \(theta), ∂/∂θ\(j): \(gradient[j]) against \(difference)")
            }
        }
    }

    @Test("a scalar term at 0 has derivative 0, and the others are still right")
    func scalarTermAtZero() throws {
        let frame = Simulation.crossed(rows: 2000, levels: [120, 60, 7], seed: 3)
        let design = try ModelFormula.parse("y ~ x + (1 | f1) + (1 | f2) + (1 | f3)").design(for: frame)
        let deviance = ProfiledDeviance(design, criterion: .ml)
        let theta = [0.8, 0.0, 0.5]
        let gradient = try #require(deviance.valueAndGradient(theta)?.gradient)
        #expect(gradient[1] == 0)
        for j in [0, 2] {
            let h = 1e-5
            var plus = theta, minus = theta
            plus[j] += h
            minus[j] -= h
            let difference = (deviance.evaluate(plus) - deviance.evaluate(minus)) / (2 * h)
            #expect(abs(gradient[j] - difference) <= 1e-5 * max(1, abs(difference)), "∂/∂θ\(j): \(gradient[j]) against \(difference)")
        }
    }
}
