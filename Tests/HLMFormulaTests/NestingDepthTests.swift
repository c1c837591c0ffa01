import HLMFormula
import Testing

/// Formulas nested past ``maximumDepth`` are refused with the position, in every notation, instead of
/// recursing once per level on the thread's stack (30,000 levels crashed the parser before).
@Suite("Formula nesting depth")
struct NestingDepthTests {
    static let deep = 30_000

    @Test("deep nesting is one error, not a crash", arguments: [
        ("gcse ~ " + String(repeating: "(", count: deep) + "lrt" + String(repeating: ")", count: deep) + " + (1 | school)", "nests more than 200"),
        ("gcse ~ I(" + String(repeating: "-", count: deep) + "lrt) + (1 | school)", "nests more than 200"),
        ("gcse ~ log(" + String(repeating: "log(", count: deep) + "lrt" + String(repeating: ")", count: deep + 1) + " + (1 | school)", "nests more than 200"),
        ("gcse = b0 + b1*" + String(repeating: "(", count: deep) + "lrt" + String(repeating: ")", count: deep) + " + r; b0 = g00 + u0", "nests more than 200"),
        ("gcse " + String(repeating: "(", count: deep) + "lrt" + String(repeating: ")", count: deep) + " || school:", "is not a variable name"),
    ])
    func deepNesting(formula: String, message: String) {
        do {
            _ = try ModelFormula.parse(formula, groups: ["school"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains(message), "\(error.message.prefix(200))")
            #expect(error.offset != nil)
        }
    }

    @Test func ordinaryNestingStillParses() throws {
        let formula = "gcse ~ " + String(repeating: "(", count: 50) + "lrt" + String(repeating: ")", count: 50) + " + (1 | school)"
        #expect(try ModelFormula.parse(formula).fixedTerms.count == 1)
    }
}
