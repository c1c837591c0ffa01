import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Satterthwaite (lmerTest) and Kenward–Roger (pbkrtest) degrees of freedom, KR's adjusted SEs and the
/// type III F tests, against R's values (`Tools/crosscheck-smallsample.R`): df, SE, t, F within 1e-4
/// relative (the derivatives are central differences; R's are Richardson-extrapolated).
@Suite("Small-sample inference")
struct SmallSampleInferenceTests {
    static let references: [SmallSampleReference] = (try? SmallSampleReference.all()) ?? []

    static func prepared(_ reference: SmallSampleReference) throws -> (LinearMixedModel, FixedTermStructure) {
        let frame = try Fixtures.frame(reference.dataset)
        let model = try PreparedModel.prepare(reference.formula, frame: frame, where: reference.filter)
        let fit = try LinearMixedModel.fit(model.design, criterion: .reml)
        return (fit, try model.fixedTermStructure(frame: frame, where: reference.filter))
    }

    @Test func referencesAreHere() {
        #expect(Self.references.count == 6)
    }

    @Test("matches lmerTest and pbkrtest", arguments: references)
    func matches(_ reference: SmallSampleReference) throws {
        let (fit, structure) = try Self.prepared(reference)
        #expect(fit.logLikelihood >= reference.logLik - 1e-8 * abs(reference.logLik))
        for (method, coefficients, tests) in [(DegreesOfFreedomMethod.satterthwaite, reference.satterthwaite, reference.anovaSatterthwaite),
                                              (.kenwardRoger, reference.kenwardRoger, reference.anovaKenwardRoger)] {
            let inference = try fit.smallSampleInference(method)
            let table = fit.fixedEffectTable(inference: inference)
            #expect(table.map(\.name) == coefficients.map(\.name))
            for (ours, theirs) in zip(table, coefficients) {
                let label = "\(method.rawValue) \(theirs.name)"
                #expect(Tolerance.isClose(ours.df ?? .nan, theirs.df, relative: 1e-4), "\(Tolerance.describe(label + " df", ours.df ?? .nan, theirs.df))")
                #expect(Tolerance.isClose(ours.stdError, theirs.stdError, relative: 1e-4), "\(Tolerance.describe(label + " SE", ours.stdError, theirs.stdError))")
                #expect(Tolerance.isClose(ours.statistic, theirs.t, relative: 1e-4, absolute: 1e-6), "\(Tolerance.describe(label + " t", ours.statistic, theirs.t))")
                #expect(Tolerance.isClose(ours.pValue, theirs.p, relative: 1e-3, absolute: 1e-12), "\(Tolerance.describe(label + " p", ours.pValue, theirs.p))")
            }
            let ours = fit.termTests(structure, inference: inference)
            #expect(ours.map(\.term) == tests.map(\.term))
            for (test, expected) in zip(ours, tests) {
                let label = "\(method.rawValue) F(\(expected.term))"
                #expect(test.numDF == expected.numDF, "\(label) numDF")
                #expect(Tolerance.isClose(test.denDF, expected.denDF, relative: 1e-4), "\(Tolerance.describe(label + " denDF", test.denDF, expected.denDF))")
                #expect(Tolerance.isClose(test.F, expected.F, relative: 1e-4), "\(Tolerance.describe(label, test.F, expected.F))")
                #expect(Tolerance.isClose(test.pValue, expected.p, relative: 1e-3, absolute: 1e-12), "\(Tolerance.describe(label + " p", test.pValue, expected.p))")
            }
        }
    }

    @Test func kenwardRogerRefusesAnMLFit() throws {
        let frame = try Fixtures.frame("sleepstudy")
        let design = try ModelFormula.parse("Reaction ~ Days + (Days | Subject)").design(for: frame)
        let fit = try LinearMixedModel.fit(design, criterion: .ml)
        #expect(throws: EstimationError.self) { try fit.smallSampleInference(.kenwardRoger) }
        #expect(try fit.smallSampleInference(.satterthwaite).degreesOfFreedom([0, 1]) > 10)
    }

    @Test func residualDegreesOfFreedomAreNMinusP() throws {
        let frame = try Fixtures.frame("sleepstudy")
        let design = try ModelFormula.parse("Reaction ~ Days + (Days | Subject)").design(for: frame)
        let fit = try LinearMixedModel.fit(design, criterion: .reml)
        let table = fit.fixedEffectTable(inference: try fit.smallSampleInference(.residual))
        #expect(table.allSatisfy { $0.df == 178 })
        // t(178) is close to the normal: p just above the z test's.
        #expect(table[1].pValue > fit.fixedEffectTable()[1].pValue)
    }
}
