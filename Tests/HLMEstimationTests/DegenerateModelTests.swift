import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Models that cannot be fitted end in a clear EstimationError; awkward but fittable ones give a
/// correct fit with a diagnostic.
@Suite("Degenerate models")
struct DegenerateModelTests {
    private func design(_ csv: String, _ formula: String) throws -> ModelDesign {
        try ModelFormula.parse(formula).design(for: try CSVReader().read(string: csv))
    }

    private func fitError(_ csv: String, _ formula: String) throws -> EstimationError? {
        do {
            _ = try LinearMixedModel.fit(try design(csv, formula), criterion: .reml)
            return nil
        } catch let error as EstimationError {
            return error
        }
    }

    /// Crossed factors past the old 8,000-row dense limit fit (on the sparse factor); only a design whose
    /// factorisation would not fit in memory is refused, with the bytes it needs.
    @Test func crossedFactorsBeyondTheDenseLimitFit() throws {
        let frame = Simulation.crossed(rows: 30_000, levels: [9_000, 8_500], seed: 5)
        let design = try ModelFormula.parse("y ~ x + (1 | f1) + (1 | f2)").design(for: frame)
        let model = try LinearMixedModel.fit(design, criterion: .reml)
        #expect(model.logLikelihood.isFinite)
        #expect(model.theta.allSatisfy { $0 > 0 })
    }

    @Test func constantResponse() throws {
        #expect(try fitError("y,g\n3,a\n3,a\n3,b\n3,b\n", "y ~ 1 + (1 | g)") == .constantResponse)
    }

    @Test func singleGroup() throws {
        #expect(try fitError("y,g\n1,a\n2,a\n4,a\n", "y ~ 1 + (1 | g)") == .tooFewGroups("g", 1))
    }

    @Test func oneObservationPerGroup() throws {
        #expect(try fitError("y,g\n1,a\n2,b\n4,c\n", "y ~ 1 + (1 | g)") == .groupsEqualObservations("g", 3))
    }

    @Test func everyRowDroppedIsAFormulaError() throws {
        #expect(throws: FormulaError.self) { try design("y,g\nNA,a\n2,\n", "y ~ 1 + (1 | g)") }
    }

    @Test func constantPredictorIsDroppedWithANote() throws {
        var csv = "y,x,c,g\n"
        var stream = HardCaseTests.Stream(state: 11)
        for i in 0..<80 { csv += "\(stream.normal() + Double(i % 5)),\(stream.normal()),7,g\(i % 8)\n" }
        let fit = try LinearMixedModel.fit(try design(csv, "y ~ x + c + (1 | g)"), criterion: .reml)
        #expect(fit.design.fixedNames == ["(Intercept)", "x"])
        #expect(fit.diagnostics.contains { if case .droppedColumns(let columns) = $0 { columns.contains("c") } else { false } })
    }

    @Test func levelLeftWithNoRowsIsDroppedWithANote() throws {
        let frame = try Fixtures.frame("gcse")
        let boysOnly = frame.filter(try RowFilter.parse("schgend != \"boys\"").evaluate(on: frame, expression: ""))
        let fit = try LinearMixedModel.fit(try ModelFormula.parse("gcse ~ lrt + schgend + (1 | school)").design(for: boysOnly), criterion: .reml)
        #expect(fit.design.fixedNames == ["(Intercept)", "lrt", "schgend[girls]"])
        #expect(fit.diagnostics.contains { if case .design(.unusedLevelsDropped(_, let levels)) = $0 { levels.contains("boys") } else { false } })
    }

    /// Data around 1e8: the same fit as the data shifted to 0, but for the intercept.
    @Test func extremeScale() throws {
        var stream = HardCaseTests.Stream(state: 5)
        var small = "y,x,g\n", large = "y,x,g\n"
        for i in 0..<200 {
            let g = i % 10, x = stream.normal()
            let y = 0.5 * x + Double(g % 3) + stream.normal()
            small += "\(y),\(x),g\(g)\n"
            large += "\(y + 1e8),\(x),g\(g)\n"
        }
        let a = try LinearMixedModel.fit(try design(small, "y ~ x + (1 | g)"), criterion: .reml)
        let b = try LinearMixedModel.fit(try design(large, "y ~ x + (1 | g)"), criterion: .reml)
        #expect(Tolerance.isClose(b.beta[0] - 1e8, a.beta[0], relative: 1e-6, absolute: 1e-6))
        #expect(Tolerance.isClose(b.beta[1], a.beta[1], relative: 1e-6))
        #expect(Tolerance.isClose(b.sigma, a.sigma, relative: 1e-6))
        #expect(Tolerance.isClose(b.logLikelihood, a.logLikelihood, relative: 1e-9))
        #expect(Tolerance.isClose(b.components[0].sd[0], a.components[0].sd[0], relative: 1e-5))
    }

    @Test func infiniteValueIsAnError() throws {
        #expect(throws: FormulaError.self) { try design("y,g\n1,a\ninf,a\n2,b\n3,b\n", "y ~ 1 + (1 | g)") }
    }
}
