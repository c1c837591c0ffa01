import Foundation
import HLMData
@testable import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// The generalized fits' system: the rest block's Cholesky with a diagonal lead (a term nested in the
/// first) against LAPACK's on the whole block, and the Hessian stencil that the fits evaluate on two threads.
@Suite("Weighted system")
struct WeightedSystemTests {
    /// A 40×40 positive-definite block whose first 24 columns are diagonal among themselves, each coupled
    /// to one or two of the last 16 (broods in locations), the last 16 dense.
    static func nestedBlock(seed: UInt64) -> [Double] {
        var generator = SeededRandom(seed: seed)
        let n = 40, lead = 24
        var a = [Double](repeating: 0, count: n * n)
        for c in 0..<lead {
            a[c + c * n] = 10 + Double.random(in: 0..<1, using: &generator)
            for _ in 0..<(1 + c % 2) { a[(lead + Int.random(in: 0..<(n - lead), using: &generator)) + c * n] = Double.random(in: -1..<1, using: &generator) }
        }
        for c in lead..<n {
            for r in c..<n { a[r + c * n] = Double.random(in: -1..<1, using: &generator) }
            a[c + c * n] = 40
        }
        return a
    }

    @Test func diagonalLeadFactorsAsLAPACKDoes() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let a = Self.nestedBlock(seed: seed)
            #expect(WeightedSystem.diagonalLead(a, 40) == 24)
            var ours = a, lapack = a
            #expect(WeightedSystem.factorRest(&ours, 40))
            #expect(DenseCholesky.factor(&lapack, n: 40))
            for c in 0..<40 { for r in c..<40 {
                #expect(abs(ours[r + c * 40] - lapack[r + c * 40]) < 1e-12, "L[\(r), \(c)]")
            } }
        }
        // A dense block has no lead, and a block that is not positive definite is refused.
        var dense = [Double](repeating: 0.5, count: 20 * 20)
        for c in 0..<20 { dense[c + c * 20] = 20 }
        #expect(WeightedSystem.diagonalLead(dense, 20) == 0)
        var negative = Self.nestedBlock(seed: 4)
        negative[3 + 3 * 40] = -1
        #expect(!WeightedSystem.factorRest(&negative, 40))
    }

    /// The stencil's points, evaluated in any order and combined, give a cubic's Hessian (exact up to rounding
    /// for central differences of a cubic) and the same numbers as `secondOrder`.
    @Test func hessianStencilInAnyOrder() {
        func f(_ x: [Double]) -> Double { x[0] * x[0] * x[1] + 3 * x[1] * x[2] - x[2] * x[2] * x[2] + 2 * x[0] }
        let x = [0.7, -1.2, 0.4], h = 1e-4
        let points = FiniteDifferences.stencil(at: x, step: h)
        #expect(points.count == 3 * 4)
        var values = [[Double]](repeating: [], count: points.count)
        for index in points.indices.reversed() { values[index] = [f(points[index])] }
        let combined = FiniteDifferences.combine(values, center: [f(x)], step: h).hessians[0]
        let expected = [2 * x[1], 2 * x[0], 0, 2 * x[0], 0, 3, 0, 3, -6 * x[2]]
        for (a, b) in zip(combined, expected) { #expect(abs(a - b) < 1e-5) }
        #expect(combined == FiniteDifferences.secondOrder({ [f($0)] }, at: x, step: h).hessians[0])
    }

    /// The rows LAPACK factors, which decide the restart for better kernels: grouseticks' broods are nested in
    /// its index (the first term) and go before it, found once from the structure; VerbAgg's items are crossed
    /// with its subjects.
    @Test func generalizedDenseRowsLeaveOutANestedTerm() throws {
        let ticks = try DataLoading.load(dataPath: Fixtures.path("grouseticks.csv")).0
        let nested = try PreparedModel.prepare("TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION)", frame: ticks, family: .poisson)
        #expect(BLASKernels.generalizedDenseRows(nested.design) == 63 + 4)
        #expect(!BLASKernels.worthRestarting(nested.design))
        #expect(LaplaceDeviance(nested.design, family: GLMFamily(.poisson)).pattern.diagonalLead == 118)
        let verbagg = try DataLoading.load(dataPath: Fixtures.path("verbagg.csv")).0
        let crossed = try PreparedModel.prepare("r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)", frame: verbagg, family: .binomial)
        #expect(BLASKernels.generalizedDenseRows(crossed.design) == 24 + 6)
        #expect(LaplaceDeviance(crossed.design, family: GLMFamily(.binomial)).pattern.diagonalLead == 0)
        // Every subject meets all 24 items: one shared run of columns (items, then X's).
        #expect(LaplaceDeviance(crossed.design, family: GLMFamily(.binomial)).pattern.sharedRun == 0)
        #expect(LaplaceDeviance(nested.design, family: GLMFamily(.poisson)).pattern.sharedRun == nil)
    }

    /// Subjects × items with one scalar first term: the system factored and solved through the shared-run
    /// path (every subject meets every item: BLAS on the couplings as one matrix) and through the per-group
    /// path (one subject misses an item), each against a dense solve of the assembled matrix.
    @Test func sharedAndPerGroupCouplingsSolveAsDense() throws {
        var generator = SeededRandom(seed: 9)
        for (missing, joint) in [(false, false), (false, true), (true, false), (true, true)] {
            let groups = 12, items = 5, p = 2
            var codes: [Int32] = [], restIndex: [Int] = []
            for g in 0..<groups { for j in 0..<items where !(missing && g == 3 && j == 2) { codes.append(Int32(g)); restIndex.append(j) } }
            let pattern = CouplingPattern(groups: groups, codes: codes, perRow: 1, restIndex: restIndex, otherColumns: items, p: p)
            #expect((pattern.sharedRun != nil) == !missing)
            var system = WeightedSystem(q1: 1, groups1: groups, pattern: pattern, joint: joint)
            let rest = system.rest, total = groups + rest
            // The assembled matrix (with the identity the factor adds to the random effects' diagonal).
            var dense = [Double](repeating: 0, count: total * total)
            for g in 0..<groups {
                system.blocks[g] = Double.random(in: 1..<3, using: &generator)
                dense[g + g * total] = system.blocks[g] + 1
                let start = pattern.start[g], length = pattern.length(g, joint: joint)
                for e in 0..<length {
                    let value = Double.random(in: -0.5..<0.5, using: &generator), row = groups + pattern.columns[start + e]
                    system.couplings[start + e] = value
                    dense[row + g * total] = value
                    dense[g + row * total] = value
                }
            }
            for c in 0..<rest {
                for r in c..<rest {
                    let value = r == c ? 8 + Double.random(in: 0..<1, using: &generator) : Double.random(in: -0.5..<0.5, using: &generator)
                    system.restBlock[r + c * rest] = value
                    dense[(groups + r) + (groups + c) * total] = value + (r == c && c < items ? 1 : 0)
                    if r != c { dense[(groups + c) + (groups + r) * total] = value }
                }
            }
            system.rhs = (0..<total).map { _ in Double.random(in: -1..<1, using: &generator) }
            let expected = try #require(SymmetricSolve.solve(dense, system.rhs, n: total))
            let factored = system.factor()
            #expect(factored)
            let solution = system.solve()
            for k in 0..<total { #expect(abs(solution[k] - expected[k]) < 1e-12, "x[\(k)], missing \(missing), joint \(joint)") }
        }
    }
}
