import Testing
@testable import HLMFormula

/// The rank check: the one-pass screen agrees with Gram–Schmidt, and declines whenever a column is
/// dependent or nearly so, so that Gram–Schmidt decides those.
struct RankCheckTests {
    /// A deterministic pseudo-random column (a linear congruential generator mapped to [-1, 1)).
    static func column(_ n: Int, seed: UInt64) -> [Double] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    @Test func independentColumnsAreKeptByTheScreen() {
        let n = 10_000
        let x1 = Self.column(n, seed: 1), x2 = Self.column(n, seed: 2), x3 = Self.column(n, seed: 8)
        // A level indicator and a column far from zero (2000 ± 1): both clearly independent of the intercept.
        let dummy = x1.map { $0 > 0.3 ? 1.0 : 0.0 }, year = x3.map { 2000 + $0 }
        let columns: [DesignColumn] = [.constant(1), .values(x1), .values(x2), .values(dummy), .values(year)]
        let screened = RankCheck.clearlyIndependent(columns, rows: n)
        let kept = RankCheck.independentColumns(columns, rows: n), reference = RankCheck.gramSchmidtColumns(columns, rows: n)
        #expect(screened)
        #expect(kept == [0, 1, 2, 3, 4])
        #expect(reference == kept)
    }

    @Test func exactDependenceGoesToGramSchmidt() {
        let n = 9_000
        let x1 = Self.column(n, seed: 3), x2 = Self.column(n, seed: 4)
        let sum = zip(x1, x2).map { $0 + $1 }
        // Two indicators that add up to the intercept (the dummy trap), and x1 + x2 after x1 and x2.
        let a = x1.map { $0 > 0 ? 1.0 : 0.0 }, b = a.map { 1 - $0 }
        let columns: [DesignColumn] = [.constant(1), .values(x1), .values(a), .values(b), .values(x2), .values(sum)]
        let screened = RankCheck.clearlyIndependent(columns, rows: n), kept = RankCheck.independentColumns(columns, rows: n)
        #expect(!screened)
        #expect(kept == [0, 1, 2, 4])
    }

    @Test func nearDependenceIsDecidedByGramSchmidt() {
        let n = 8_000
        let x1 = Self.column(n, seed: 5), noise = Self.column(n, seed: 6)
        // Relative residuals 1e-9 (dropped, below the 1e-7 tolerance) and 1e-5 (kept, but within
        // the screen's margin for a column almost in the span before it).
        for (size, kept) in [(1e-9, [0, 1]), (1e-5, [0, 1, 2])] {
            let near = zip(x1, noise).map { $0 + size * $1 }
            let columns: [DesignColumn] = [.constant(1), .values(x1), .values(near)]
            let found = RankCheck.independentColumns(columns, rows: n), reference = RankCheck.gramSchmidtColumns(columns, rows: n)
            #expect(found == kept)
            #expect(reference == kept)
        }
        // 1e-9: the screen must decline (it cannot keep a column Gram–Schmidt drops).
        let near = zip(x1, noise).map { $0 + 1e-9 * $1 }
        let screened = RankCheck.clearlyIndependent([.constant(1), .values(x1), .values(near)], rows: n)
        #expect(!screened)
    }

    @Test func zeroAndHugeColumnsGoToGramSchmidt() {
        let n = 5_000
        let x = Self.column(n, seed: 7), zero = [Double](repeating: 0, count: n)
        let zeroScreened = RankCheck.clearlyIndependent([.constant(1), .values(zero)], rows: n)
        let kept = RankCheck.independentColumns([.constant(1), .values(zero), .values(x)], rows: n)
        #expect(!zeroScreened)
        #expect(kept == [0, 2])
        // Squares that overflow: the screen declines rather than deciding on infinities.
        let hugeScreened = RankCheck.clearlyIndependent([.constant(1), .values(x.map { $0 * 1e200 })], rows: n)
        #expect(!hugeScreened)
    }
}
