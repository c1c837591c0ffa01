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

    /// Stata's `test` and `lincom` forms on the slides' model 3, against R's Wald χ², lmerTest's F and df.
    @Test func linearHypothesesMatchR() throws {
        let file = try SmallSampleReference.File.load()
        let frame = try Fixtures.frame("gcse")
        let model = try PreparedModel.prepare("gcse ~ lrt * schgend + (lrt | school)", frame: frame, where: "nstu > 4")
        let fit = try LinearMixedModel.fit(model.design, criterion: .reml)
        let names = fit.design.fixedNames
        let satterthwaite = try fit.smallSampleInference(.satterthwaite), kr = try fit.smallSampleInference(.kenwardRoger)
        #expect(file.hypotheses.count == 3)
        for expected in file.hypotheses {
            let hypothesis = try LinearHypothesis(expected.text, names: names)
            let wald = fit.test(hypothesis)
            #expect(wald.distribution == "chi2" && wald.numDF == expected.df)
            #expect(Tolerance.isClose(wald.statistic, expected.chi2, relative: 1e-4), "\(Tolerance.describe(expected.text, wald.statistic, expected.chi2))")
            let f = fit.test(hypothesis, inference: satterthwaite)
            #expect(Tolerance.isClose(f.statistic, expected.satterthwaiteF, relative: 1e-4), "\(Tolerance.describe(expected.text + " F", f.statistic, expected.satterthwaiteF))")
            #expect(Tolerance.isClose(f.denDF ?? .nan, expected.satterthwaiteDenDF, relative: 1e-4))
            #expect(Tolerance.isClose(fit.test(hypothesis, inference: kr).denDF ?? .nan, expected.kenwardRogerDenDF, relative: 1e-4))
        }
        #expect(file.combinations.count == 2)
        for expected in file.combinations {
            let combination = fit.combination(try LinearHypothesis(expected.text, names: names, combination: true), inference: satterthwaite)
            #expect(Tolerance.isClose(combination.estimate.estimate, expected.estimate, relative: 1e-4))
            #expect(Tolerance.isClose(combination.estimate.stdError, expected.stdError, relative: 1e-4))
            #expect(Tolerance.isClose(combination.estimate.df ?? .nan, expected.df, relative: 1e-4))
        }
    }

    @Test func badHypothesesNameTheirPosition() throws {
        let names = ["(Intercept)", "lrt", "schgend[boys]"]
        for (text, position, fragment) in [("schgend[boy] = 0", 1, "did you mean"), ("lrt*lrt", 1, "not linear"), ("lrt = 1 = 2", 9, "more than one"),
                                           ("2 = 3", 1, "names no coefficient"), ("lrt + ", 6, "empty")] {
            #expect {
                try LinearHypothesis(text, names: names)
            } throws: { error in
                guard let error = error as? HypothesisError else { return false }
                return error.offset + 1 == position && error.message.contains(fragment)
            }
        }
        #expect(throws: HypothesisError.self) { try LinearHypothesis("lrt, _cons", names: names, combination: true) }
        #expect(try LinearHypothesis("-lrt + 2*-_cons - 1e-3 = schgend[boys]", names: names).rows == [[-2, -1, -1]])
        #expect(try LinearHypothesis("-lrt + 2*-_cons - 1e-3 = schgend[boys]", names: names).rhs == [1e-3])
    }
}
