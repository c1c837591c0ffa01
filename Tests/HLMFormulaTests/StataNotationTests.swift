import HLMData
import HLMFormula
import HLMTestSupport
import Testing

/// What Stata users paste: commands with prompts and continuations, each command's default method,
/// its display options, `xtreg` and `regress` (Stata's documented behaviour).
@Suite("Stata commands")
struct StataNotationTests {
    static let slideCommand = "xtmixed gcse lrt || school: lrt if nstu > 4, mle nolog covariance(unstructured)"

    @Test("a pasted session lowers to the command", arguments: [
        ". xtmixed gcse lrt || school: lrt if nstu > 4, mle nolog covariance(unstructured)",
        ". xtmixed gcse lrt || school: lrt if nstu > 4, ///\n      mle nolog covariance(unstructured)",
        ". xtmixed gcse lrt || school: lrt ///\n> if nstu > 4, mle nolog covariance(unstructured)",
        ". use gcse, clear\n. xtmixed gcse lrt || school: lrt if nstu > 4,\n> mle nolog covariance(unstructured)",
        "xtmixed gcse lrt || school: lrt if nstu > 4, /// the slides' model 2\n mle nolog covariance(unstructured) // ML",
    ])
    func pastedSession(_ text: String) throws {
        let pasted = try ModelFormula.parse(text), plain = try ModelFormula.parse(Self.slideCommand)
        #expect(pasted.fixedTerms == plain.fixedTerms)
        #expect(pasted.randomTerms == plain.randomTerms)
        #expect(pasted.method == .ml)
        #expect(pasted.filter == plain.filter)
    }

    @Test func eachCommandHasStatasDefaultMethod() throws {
        // Stata 13 on: mixed fits by ML, xtmixed by REML; an explicit option wins.
        #expect(try ModelFormula.parse("mixed gcse lrt || school:").method == .ml)
        #expect(try ModelFormula.parse("xtmixed gcse lrt || school:").method == .reml)
        #expect(try ModelFormula.parse("mixed gcse lrt || school:, reml").method == .reml)
        #expect(try ModelFormula.parse("xtmixed gcse lrt || school:, mle").method == .ml)
    }

    @Test func displayOptions() throws {
        let model = try ModelFormula.parse("mixed gcse lrt || school: lrt, variance level(90) vce(robust) nolog")
        #expect(model.options.variances == true)
        #expect(model.options.level == 0.9)
        #expect(model.options.robust)
        #expect(try ModelFormula.parse("mixed gcse lrt || school:, stddeviations").options.variances == false)
        #expect(try !ModelFormula.parse("mixed gcse lrt, noconstant || school:").hasIntercept)
        #expect(throws: FormulaError.self) { try ModelFormula.parse("mixed gcse lrt || school:, level(101)") }
    }

    @Test func xtregAndRegress() throws {
        let re = try ModelFormula.parse("xtreg gcse lrt, re i(school)")
        #expect(re.options.estimator == .swamyArora)
        #expect(re.randomTerms.map(\.grouping) == [["school"]])
        let pasted = try ModelFormula.parse(". xtset school\n. xtreg gcse lrt girl, re")
        #expect(pasted.randomTerms.map(\.grouping) == [["school"]])
        #expect(pasted.fixedTerms.count == 2)
        let mle = try ModelFormula.parse("xtreg gcse lrt, mle i(school)")
        #expect(mle.options.estimator == .mixed)
        #expect(mle.method == .ml)
        let regress = try ModelFormula.parse("regress gcse lrt girl")
        #expect(regress.options.estimator == .leastSquares)
        #expect(regress.randomTerms.isEmpty)
        #expect(throws: FormulaError.self) { try ModelFormula.parse("xtreg gcse lrt, re") }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("xtreg gcse lrt, fe i(school)") }
    }

    @Test func continuousPowers() throws {
        let frame = try Fixtures.frame("gcse")
        let square = try ModelFormula.parse("gcse c.lrt#c.lrt || school:").design(for: frame)
        #expect(square.fixedNames == ["(Intercept)", "c.lrt#c.lrt"])
        let lrt = try #require(frame.column(named: "lrt"))
        guard case .numeric(let values) = lrt.values else { Issue.record("lrt is numeric"); return }
        #expect(square.x[7, 1] == values.values[7] * values.values[7])
        #expect(try ModelFormula.parse("gcse c.lrt##c.lrt || school:").design(for: frame).fixedNames == ["(Intercept)", "lrt", "c.lrt#c.lrt"])
        // Other interactions keep working.
        #expect(try ModelFormula.parse("gcse c.lrt#c.girl || school:").design(for: frame).fixedNames == ["(Intercept)", "lrt:girl"])
        #expect(try ModelFormula.parse("gcse i.schgend#c.lrt || school:").design(for: frame).fixedNames.count == 4)
    }

    @Test func threeLevelHLMNames() throws {
        let hlm = try ModelFormula.parse("strength = π0 + e; π0 = β00 + r0; β00 = γ000 + u00", groups: ["cask", "batch"])
        let bgd = try ModelFormula.parse("strength = b0 + r; b0 = g00 + u0; g00 = d000 + v00", groups: ["cask", "batch"])
        let lme4 = try ModelFormula.parse("strength ~ 1 + (1 | batch/cask)")
        #expect(hlm.randomTerms == bgd.randomTerms)
        #expect(Set(hlm.randomTerms.map(\.grouping)) == Set(lme4.randomTerms.map(\.grouping)))
    }
}
