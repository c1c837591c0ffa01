import Testing
import HLMFormula
@testable import HLMEstimation

/// A one-term model's single pass (chunks of rows, two halves on two threads when large) against
/// the cross products summed row by row here.
@Suite struct CrossProductsTests {
    @Test("one-term cross products equal the sums over rows", arguments: [3_000, CrossProducts.parallelRows + 4_321])
    func oneTermPass(_ rows: Int) throws {
        let frame = Simulation.randomSlope(rows: rows, groups: 97, seed: UInt64(rows))
        let design = try ModelFormula.parse("y ~ x + (x | g)").design(for: frame)
        let shift = 0.75
        let products = CrossProducts(design, yShift: shift)
        let term = design.randomTerms[0], q = term.termCount, p = design.x.columns, r = p + 1, n = design.observationCount
        var a11 = [Double](repeating: 0, count: q * q * term.groupCount)
        var a22 = [Double](repeating: 0, count: r * r)
        var panels = [Double](repeating: 0, count: term.groupCount * r * q)
        for i in 0..<n {
            let j = Int(term.codes[i])
            let row = (0..<p).map { design.x[i, $0] } + [design.y[i] - shift]
            let z = (0..<q).map { term.z[i, $0] }
            for b in 0..<q { for a in b..<q { a11[j * q * q + a + b * q] += z[a] * z[b] } }
            for c in 0..<q { for k in 0..<r { panels[j * r * q + k + c * r] += row[k] * z[c] } }
            for b in 0..<r { for a in b..<r { a22[a + b * r] += row[a] * row[b] } }
        }
        func worst(_ ours: [Double], _ expected: [Double]) -> Double {
            zip(ours, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        }
        #expect(products.a11.count == a11.count && worst(products.a11, a11) < 1e-12)
        #expect(products.panelValues.count == panels.count && worst(products.panelValues, panels) < 1e-12)
        #expect(products.a22.count == a22.count && worst(products.a22, a22) < 1e-12)
    }
}
