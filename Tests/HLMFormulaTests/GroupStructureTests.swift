import HLMData
import HLMFormula
import HLMTestSupport
import Testing

/// Nested, crossed and split random terms give the groups lme4 gives (names per docs/fit-json.md).
@Suite("Group structures")
struct GroupStructureTests {
    @Test func nestedBatchCask() throws {
        let design = try ModelFormula.parse("strength ~ 1 + (1 | batch/cask)").design(for: try Fixtures.frame("pastes"))
        #expect(design.randomTerms.map(\.groupName) == ["batch", "batch:cask"])
        #expect(design.randomTerms.map(\.groupCount) == [10, 30])
        #expect(design.randomTerms[1].levels.first == "A:a")
        #expect(design.fixedNames == ["(Intercept)"])
    }

    @Test func crossedPlateAndSample() throws {
        let design = try ModelFormula.parse("diameter ~ 1 + (1 | plate) + (1 | sample)").design(for: try Fixtures.frame("penicillin"))
        #expect(design.randomTerms.map(\.groupName) == ["plate", "sample"])
        #expect(design.randomTerms.map(\.groupCount) == [24, 6])
        #expect(design.notations.stata == nil)
    }

    @Test func uncorrelatedInterceptAndSlope() throws {
        let frame = try Fixtures.frame("sleepstudy")
        let split = try ModelFormula.parse("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)").design(for: frame)
        #expect(split.randomTerms.map(\.groupName) == ["Subject", "Subject"])
        #expect(split.randomTerms.map(\.termNames) == [["(Intercept)"], ["Days"]])
        #expect(split.randomTerms.map(\.groupCount) == [18, 18])
        let doubleBar = try ModelFormula.parse("Reaction ~ Days + (Days || Subject)").design(for: frame)
        #expect(doubleBar.randomTerms.first?.covariance == .independent)
        #expect(doubleBar.randomTerms.first?.termNames == ["(Intercept)", "Days"])
    }

    @Test func stataNestedLevelsAndLevelEquationsThreeLevels() throws {
        let frame = try Fixtures.frame("pastes")
        let stata = try ModelFormula.parse("strength || batch: || cask:").design(for: frame)
        #expect(stata.randomTerms.map(\.groupName) == ["batch", "batch:cask"])
        let levels = try ModelFormula.parse("strength = b0 + r; b0 = g00 + u0; g00 = d000 + v00", groups: ["cask", "batch"]).design(for: frame)
        #expect(levels.randomTerms.map(\.groupName) == ["batch", "batch:cask"])
        #expect(levels.randomTerms.map(\.groupCount) == [10, 30])
    }

    @Test func levelHeadersNameTheGroups() throws {
        let text = "level 2: school\ngcse = b0 + b1*lrt + r\nb0 = g00 + u0\nb1 = g10 + u1"
        let design = try ModelFormula.parse(text).design(for: try Fixtures.frame("gcse"))
        #expect(design.randomTerms.first?.groupName == "school")
        #expect(design.randomTerms.first?.termNames == ["(Intercept)", "lrt"])
        #expect(design.randomTerms.first?.groupCount == 65)
    }

    @Test("whole-number group ids beyond Int64 (1e300) are levels of their own, not a crash (found by the newdata fuzzer)")
    func hugeNumericIds() throws {
        let frame = try CSVReader().read(string: "y,x,g\n1,1,1e300\n2,2,1e300\n3,1,-1e300\n4,3,-1e300\n5,2,5\n6,1,5\n7,2,1e20\n8,3,1e20\n")
        let design = try ModelFormula.parse("y ~ x + (1 | g)").design(for: frame)
        #expect(design.randomTerms[0].levels.count == 4)
        #expect(Set(design.randomTerms[0].levels).count == 4)
        #expect(try design.newData(frame).terms[0].codes.allSatisfy { $0 >= 0 })
    }
}
