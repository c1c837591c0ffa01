import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Issue 20's structure-aware cases for this round's inputs: --test/--lincom and cbind() nested 30,000 deep,
/// 100,000 terms, and bytes that are not text; each one error line (or an answer), never a crash or a hang.
@Suite("Hostile hypotheses and responses")
struct HostileHypothesisTests {
    let names = ["(Intercept)", "lrt", "schgend[boys]"]

    @Test func deepNestingIsOneLine() {
        for text in [String(repeating: "(", count: 30_000) + "lrt" + String(repeating: ")", count: 30_000),
                     String(repeating: "[", count: 30_000) + "lrt",
                     String(repeating: "-", count: 30_000) + "lrt",
                     "lrt = " + String(repeating: "2*", count: 30_000) + "1"] {
            do {
                let hypothesis = try LinearHypothesis(text, names: names)
                #expect(hypothesis.rows.count == 1)
            } catch {
                #expect(!error.description.contains("\n") && error.description.count < 600)
            }
        }
    }

    @Test func hugeCountsAnswerQuickly() throws {
        let many = Array(repeating: "lrt", count: 100_000).joined(separator: " + ")
        let start = Date()
        let hypothesis = try LinearHypothesis(many + " = 0", names: names)
        #expect(hypothesis.rows[0][1] == 100_000)
        let joint = Array(repeating: "lrt = 1", count: 10_000).joined(separator: ", ")
        #expect(try LinearHypothesis(joint, names: names).rows.count == 10_000)
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func bytesThatAreNotTextAreRefused() {
        for text in ["\u{0}", "lrt\u{7}", "\u{FFFD}\u{FFFD}", "lrt + ", "= lrt", ",,,"] {
            #expect(throws: HypothesisError.self) { try LinearHypothesis(text, names: names) }
        }
    }

    @Test func cbindNestedDeepIsRefusedWithThePosition() {
        let text = "cbind(" + String(repeating: "(", count: 30_000) + "y" + String(repeating: ")", count: 30_000) + ", x) ~ 1 + (1 | g)"
        #expect(throws: FormulaError.self) { try ModelFormula.parse(text) }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("cbind(y) ~ 1 + (1 | g)") }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("melogit y x || g:, binomial()") }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("mepoisson y x || g:, intpoints(0)") }
    }
}
