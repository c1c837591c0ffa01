import HLMData
import HLMFormula
import HLMTestSupport
import Testing

/// The slides' three xtmixed models, each in the three notations, give identical designs.
@Suite("Three notations, one design")
struct NotationEquivalenceTests {
    static let models: [(lme4: String, stata: String, levels: String)] = [
        ("gcse ~ lrt + (1 | school)",
         "xtmixed gcse lrt || school: if nstu > 4, mle nolog",
         "gcse = b0 + b1*lrt + r; b0 = g00 + u0; b1 = g10"),
        ("gcse ~ lrt + (lrt | school)",
         "xtmixed gcse lrt || school: lrt if nstu > 4, mle nolog covariance(unstructured)",
         "gcse = b0 + b1*lrt + r; b0 = g00 + u0; b1 = g10 + u1"),
        ("gcse ~ lrt * schgend + (lrt | school)",
         "xtmixed gcse c.lrt##i.schgend || school: lrt if nstu > 4, mle nolog covariance(unstructured)",
         "gcse = β0 + β1*lrt + r; β0 = γ00 + γ01*schgend + u0; β1 = γ10 + γ11*schgend + u1"),
    ]

    private func frame() throws -> DataFrame {
        let frame = try Fixtures.frame("gcse")
        return frame.filter(try RowFilter.parse("nstu > 4").evaluate(on: frame, expression: "nstu > 4"))
    }

    @Test("identical designs", arguments: 0..<3)
    func identicalDesigns(model: Int) throws {
        let data = try frame()
        let (lme4, stata, levels) = Self.models[model]
        let designs = try [ModelFormula.parse(lme4), ModelFormula.parse(stata), ModelFormula.parse(levels, groups: ["school"])]
            .map { try $0.design(for: data) }
        for design in designs.dropFirst() {
            #expect(design.fixedNames == designs[0].fixedNames)
            #expect(design.x == designs[0].x)
            #expect(design.y == designs[0].y)
            #expect(design.randomTerms.map(\.groupName) == designs[0].randomTerms.map(\.groupName))
            #expect(design.randomTerms.map(\.termNames) == designs[0].randomTerms.map(\.termNames))
            #expect(design.randomTerms.map(\.z) == designs[0].randomTerms.map(\.z))
            #expect(design.randomTerms.map(\.codes) == designs[0].randomTerms.map(\.codes))
        }
        #expect(designs[0].observationCount == 4057)
        #expect(designs[0].randomTerms.first?.groupCount == 64)
    }

    @Test func slideModelThreeNames() throws {
        let design = try ModelFormula.parse(Self.models[2].lme4).design(for: try frame())
        #expect(design.fixedNames == ["(Intercept)", "lrt", "schgend[boys]", "schgend[girls]", "lrt:schgend[boys]", "lrt:schgend[girls]"])
        #expect(design.randomTerms.first?.termNames == ["(Intercept)", "lrt"])
    }

    @Test func stataCarriesMethodFilterAndCovariance() throws {
        let model = try ModelFormula.parse(Self.models[1].stata)
        #expect(model.method == .ml)
        #expect(model.filter == "(nstu > 4)")
        #expect(model.randomTerms.first?.covariance == .unstructured)
        let defaulted = try ModelFormula.parse("mixed gcse lrt || school: lrt")
        #expect(defaulted.randomTerms.first?.covariance == .independent)
        #expect(defaulted.randomTerms.first?.covarianceIsDefault == true)
        #expect(try ModelFormula.parse("gcse lrt || school:").randomTerms.first?.covariance == .identity)
    }

    @Test func echoesInEveryNotation() throws {
        let design = try ModelFormula.parse(Self.models[2].stata).design(for: try frame())
        let notations = design.notations
        #expect(notations.lme4 == "gcse ~ lrt + factor(schgend) + lrt:factor(schgend) + (1 + lrt | school)")
        #expect(notations.stata == "gcse lrt i.schgend c.lrt#i.schgend || school: lrt, covariance(unstructured)")
        #expect(notations.levelEquations == ["gcse = b0 + b1*lrt + r", "b0 = g00 + g01*schgend + u0", "b1 = g10 + g11*schgend + u1"])
        // The echoed lme4 text parses back to the same design.
        let again = try ModelFormula.parse(notations.lme4).design(for: try frame())
        #expect(again.fixedNames == design.fixedNames && again.x == design.x)
    }
}
