import Testing
@testable import HLMFormula

/// The whole-number test numeric factors and grouping columns are coded with.
@Suite struct PredictorResolverTests {
    @Test func wholeNumbersAgreeWithTruncation() {
        let cases: [Double] = [0, -0.0, 1, -1, 3, 0.5, -0.5, 2.5, -2.5, 1e15, 1e15 + 0.125, -1e15 - 0.25, 0x1p51 - 0.5, -0x1p51 + 0.5,
                               0x1p51, 0x1p51 + 0.5, -0x1p51 - 0.5, 0x1p52, 0x1p52 + 1, 1e300, .infinity, -.infinity,
                               .leastNonzeroMagnitude, 0.9999999999999999, 4503599627370495.5, .nan]
        for x in cases {
            #expect(PredictorResolver.isWhole(x) == (x.rounded(.towardZero) == x), "\(x)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let x = Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / [1, 2, 4, 10, 1024].randomElement(using: &generator)!
            #expect(PredictorResolver.isWhole(x) == (x.rounded(.towardZero) == x), "\(x)")
        }
    }
}
