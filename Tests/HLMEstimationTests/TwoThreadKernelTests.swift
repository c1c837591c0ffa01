import Foundation
@testable import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing
import _COpenBLAS

/// The two-thread paths of large crossed models: the blocked Cholesky against LAPACK's, and a fit
/// whose dense block is large enough to use them against Fisher scoring on the Henderson system.
@Suite("Two-thread kernels")
struct TwoThreadKernelTests {
    /// A random symmetric positive-definite matrix: B B' + n I.
    static func spd(_ n: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        let b = (0..<(n * n)).map { _ in random.normal() }
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in 0..<n {
                var s = 0.0
                for k in 0..<n { s += b[i + k * n] * b[j + k * n] }
                a[i + j * n] = s + (i == j ? Double(n) : 0)
            }
        }
        return a
    }

    @Test("blocked Cholesky on two threads equals LAPACK's", arguments: [1, 95, 96, 97, 250, 413])
    func choleskyMatchesLAPACK(_ n: Int) {
        let a = Self.spd(n, seed: UInt64(n))
        var expected = a
        #expect(DenseCholesky.factor(&expected, n: n))
        var actual = a
        let threads = SecondThread()
        let ok = actual.withUnsafeMutableBufferPointer { ParallelCholesky.factor($0.baseAddress!, n: n, threads: threads) }
        #expect(ok)
        var worst = 0.0
        for j in 0..<n { for i in j..<n { worst = max(worst, abs(actual[i + j * n] - expected[i + j * n]) / max(1, abs(expected[i + j * n]))) } }
        #expect(worst < 1e-12, "largest relative difference \(worst)")
    }

    @Test func choleskyRefusesAMatrixThatIsNotPositiveDefinite() {
        let n = 200
        var a = Self.spd(n, seed: 7)
        a[150 + 150 * n] = -1
        let threads = SecondThread()
        let ok = a.withUnsafeMutableBufferPointer { ParallelCholesky.factor($0.baseAddress!, n: n, threads: threads) }
        #expect(!ok)
    }

    @Test func secondThreadRunsBothHalves() {
        let threads = SecondThread()
        for round in 0..<100 {
            let seen = LockedFlags()
            threads.run { half in seen.set(half) }
            #expect(seen.both, "round \(round)")
        }
    }

    @Test("a crossed model's criterion is the same with the work split between two threads")
    func splitCriterionEqualsOneThread() throws {
        let frame = Simulation.crossed(rows: 6000, levels: [600, BlockedFactor.parallelRestCount + 20, 7], seed: 11)
        let design = try ModelFormula.parse("y ~ x + (1 | f1) + (1 | f2) + (1 | f3)").design(for: frame)
        let split = ProfiledDeviance(design, criterion: .reml)
        let single = ProfiledDeviance(design, criterion: .reml, parallelRestCount: .max)
        #expect(split.factor.threads != nil && single.factor.threads == nil)
        for theta in [[1.0, 1, 1], [0.3, 0.5, 0.1], [2, 0.01, 0.7], [0.05, 3, 0]] {
            let a = split.evaluate(theta), b = single.evaluate(theta)
            #expect(abs(a - b) <= 1e-10 * abs(b), "θ = \(theta): \(a) against \(b)")
        }
    }

    @Test("a one-term model's criterion is the same with its groups split between two threads", arguments: [1, 2, 3])
    func splitGroupsEqualOneThread(_ q: Int) throws {
        let frame = Simulation.crossed(rows: 20_000, levels: [BlockedFactor.parallelGroups + 50], seed: UInt64(q))
        let formula = ["y ~ x + (1 | f1)", "y ~ x + (x | f1)", "y ~ x + (x + I(x^2) | f1)"][q - 1]
        let design = try ModelFormula.parse(formula).design(for: frame)
        let split = ProfiledDeviance(design, criterion: .reml)
        let single = ProfiledDeviance(design, criterion: .reml, parallelRestCount: .max, parallelGroups: .max)
        #expect(split.factor.threads != nil && single.factor.threads == nil)
        // θ is the lower triangle by column: the diagonal at the start of each column.
        let count = q * (q + 1) / 2, diagonal = Set((0..<q).map { c in (0..<c).reduce(0) { $0 + q - $1 } })
        for scale in [1.0, 0.3, 2.5] {
            let theta = (0..<count).map { k in scale * (diagonal.contains(k) ? 1 : 0.2) }
            let a = split.evaluate(theta), b = single.evaluate(theta)
            #expect(a.isFinite && abs(a - b) <= 1e-10 * abs(b), "θ = \(theta): \(a) against \(b)")
        }
    }
}

/// Which halves ran, safely from two threads.
private final class LockedFlags: @unchecked Sendable {
    private let lock = NSLock()
    private var flags = [false, false]

    func set(_ index: Int) {
        lock.lock()
        flags[index] = true
        lock.unlock()
    }

    var both: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flags[0] && flags[1]
    }
}
