import Foundation
@testable import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Further vector terms (q > 1 below the first term): L₂₂ is filled as if they were scalar and their Λ
/// applied to their rows and columns after (``VectorTermRows``). Checked against the criterion from the
/// whole system [ZΛ X y]'[ZΛ X y] + diag(I, 0) formed densely from the rows and factored by LAPACK.
@Suite("Further vector terms")
struct VectorTermRowsTests {
    /// The REML criterion at θ from the dense system (no blocks, panels or corrections).
    static func denseCriterion(_ design: ModelDesign, theta: [Double]) -> Double? {
        let parameters = CovarianceParameters(design.randomTerms)
        var offsets: [Int] = [], q = 0
        for term in design.randomTerms {
            offsets.append(q)
            q += term.termCount * term.groupCount
        }
        let p = design.x.columns, n = design.observationCount, m = q + p + 1
        var lambdas: [[Double]] = []
        for k in design.randomTerms.indices {
            guard let lambda = parameters.lambda(theta, term: k) else { return nil }
            lambdas.append(lambda)
        }
        var a = [Double](repeating: 0, count: m * m)
        var row = [Double](repeating: 0, count: m)
        for i in 0..<n {
            for c in row.indices { row[c] = 0 }
            for (k, term) in design.randomTerms.enumerated() {
                let width = term.termCount, base = offsets[k] + Int(term.codes[i]) * width
                // The row of ZΛ: z_i' λ on the group's columns.
                for b in 0..<width {
                    var sum = 0.0
                    for c in 0..<width { sum += term.z[i, c] * lambdas[k][c + b * width] }
                    row[base + b] = sum
                }
            }
            for c in 0..<p { row[q + c] = design.x[i, c] }
            row[m - 1] = design.y[i]
            for b in 0..<m where row[b] != 0 { for c in b..<m { a[c + b * m] += row[c] * row[b] } }
        }
        for b in 0..<q { a[b + b * m] += 1 }
        guard DenseCholesky.factor(&a, n: m) else { return nil }
        var logZ = 0.0, logX = 0.0
        for b in 0..<q { logZ += 2 * log(a[b + b * m]) }
        for b in q..<(q + p) { logX += 2 * log(a[b + b * m]) }
        let r2 = a[(m - 1) + (m - 1) * m] * a[(m - 1) + (m - 1) * m]
        let dof = Double(n - p)
        return logZ + logX + dof * (1 + log(2 * Double.pi * r2 / dof))
    }

    @Test("the criterion with further vector terms equals the dense system's", arguments: [
        ("y ~ x + (1 | f1) + (x | f2) + (1 | f3)", [300, 40, 7], 1_000),
        ("y ~ x + (1 | f1) + (x | f2) + (0 + x | f3)", [300, 40, 7], 1_000),
        // A rest block large enough for two threads and two vector terms that meet each other.
        ("y ~ x + (1 | f1) + (x | f2) + (x | f3)", [700, BlockedFactor.parallelRestCount / 2 + 10, 9], 4_000),
    ])
    func matchesTheDenseSystem(formula: String, levels: [Int], rows: Int) throws {
        let frame = Simulation.crossed(rows: rows, levels: levels, seed: 5)
        let design = try ModelFormula.parse(formula).design(for: frame)
        let deviance = ProfiledDeviance(design, criterion: .reml)
        #expect(deviance.factor.vectorRows != nil && deviance.factor.sparse == nil)
        let count = deviance.parameterCount
        var random = SeededRandom(seed: 3)
        let points = [[Double](repeating: 1, count: count)] + (0..<3).map { _ in
            (0..<count).map { i in deviance.parameters.lowerBounds[i] == 0 ? 0.1 + abs(random.normal()) : random.normal() }
        }
        for theta in points {
            let blocked = deviance.evaluate(theta)
            let dense = try #require(Self.denseCriterion(design, theta: theta))
            #expect(abs(blocked - dense) <= 1e-9 * abs(dense), "θ = \(theta): \(blocked) against \(dense)")
        }
    }
}
