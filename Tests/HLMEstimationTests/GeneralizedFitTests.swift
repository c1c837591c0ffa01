import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// glmer's fits (`Examples/data/reference-round2.json`, `glmm`): cbpp by Laplace and with 25 quadrature
/// points, grouseticks (Poisson, three terms). Log-likelihood at or above glmer's (less 1e-7 relative;
/// for nAGQ > 1 glmer leaves the saturated model's part out, so it is added back to compare), fixed effects
/// within 1e-3 relative (or 1e-3 of their SE), SDs 2e-3, SEs 2e-2: glmer's Hessian is of its own deviance,
/// which is 5.6e-4 above the exact Laplace approximation on cbpp (its PIRLS stops early), and its SEs are 1.3%
/// from the exact Laplace's (`exactLaplaceOfCbpp`, checked at 1e-4 against an independent computation).
@Suite("Generalized linear mixed models")
struct GeneralizedFitTests {
    struct Golden: Decodable, CustomStringConvertible {
        struct Coefficient: Decodable { var name: String; var estimate: Double; var stdError: Double }
        struct VarCorr: Decodable { var group: String; var var1: String?; var sdcor: Double }
        var dataset: String
        var formula: String
        var family: String
        var link: String
        var nAGQ: Int
        var nobs: Int
        var logLik: Double
        var fixef: [Coefficient]
        var varcorr: [VarCorr]
        var description: String { "\(dataset): \(formula), nAGQ \(nAGQ)" }
    }

    struct File: Decodable { var glmm: [Golden] }

    static let references: [Golden] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-round2.json"))) else { return [] }
        return (try? JSONDecoder().decode(File.self, from: data).glmm) ?? []
    }()

    static func fit(_ golden: Golden) throws -> GeneralizedLinearMixedModel {
        let frame = try DataLoading.load(dataPath: Fixtures.path("\(golden.dataset).csv")).0
        let family = ResponseFamily(rawValue: golden.family)!
        let model = try PreparedModel.prepare(golden.formula, frame: frame, family: family)
        return try GeneralizedLinearMixedModel.fit(model.design, family: GLMFamily(family, link: LinkFunction(rawValue: golden.link)),
                                                   quadraturePoints: golden.nAGQ)
    }

    @Test func referencesAreHere() { #expect(Self.references.count == 3) }

    @Test("matches glmer", arguments: references)
    func matchesGlmer(_ golden: Golden) throws {
        let fit = try Self.fit(golden)
        #expect(fit.observationCount == golden.nobs)
        let comparable = golden.nAGQ > 1 ? fit.logLikelihood + fit.saturatedMinusTwoLogLikelihood / 2 : fit.logLikelihood
        #expect(comparable >= golden.logLik - 1e-7 * abs(golden.logLik), "\(Tolerance.describe("logLik", comparable, golden.logLik))")
        #expect(fit.design.fixedNames == golden.fixef.map(\.name))
        for (k, expected) in golden.fixef.enumerated() where k < fit.beta.count {
            #expect(Tolerance.isClose(fit.beta[k], expected.estimate, relative: 1e-3, absolute: 1e-3 * expected.stdError),
                    "\(Tolerance.describe(expected.name, fit.beta[k], expected.estimate))")
            #expect(Tolerance.isClose(fit.standardErrors[k], expected.stdError, relative: 2e-2),
                    "\(Tolerance.describe("SE " + expected.name, fit.standardErrors[k], expected.stdError))")
        }
        for entry in golden.varcorr {
            let component = try #require(fit.components.first { $0.group == entry.group })
            let index = try #require(component.terms.firstIndex(of: entry.var1 ?? "(Intercept)"))
            #expect(Tolerance.isClose(component.sd[index], entry.sdcor, relative: 2e-3), "\(Tolerance.describe("sd " + entry.group, component.sd[index], entry.sdcor))")
        }
    }

    /// The exact Laplace optimum of cbpp's model and its Hessian's SEs, computed in R without lme4's PIRLS
    /// (`Tools/crosscheck-laplace.R`): −92.0262818543197; SEs 0.2324736020, 0.3066444001, 0.3266390812, 0.4274391232.
    @Test func exactLaplaceOfCbpp() throws {
        let fit = try Self.fit(Self.references[0])
        #expect(abs(fit.logLikelihood - -92.0262818543197) < 1e-7)
        for (ours, exact) in zip(fit.standardErrors, [0.2324736020, 0.3066444001, 0.3266390812, 0.4274391232]) {
            #expect(Tolerance.isClose(ours, exact, relative: 1e-4), "\(Tolerance.describe("SE", ours, exact))")
        }
    }

    struct MoreGolden: Decodable, CustomStringConvertible {
        struct VarCorr: Decodable { var group: String; var var1: String?; var var2: String?; var sdcor: Double }
        var dataset: String
        var formula: String
        var family: String
        var nobs: Int
        var logLik: Double
        var fixef: [Golden.Coefficient]
        var varcorr: [VarCorr]
        var description: String { "\(dataset): \(formula)" }
    }

    static let more: [MoreGolden] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-glmm.json"))) else { return [] }
        return (try? JSONDecoder().decode([MoreGolden].self, from: data)) ?? []
    }()

    /// glmer on lme4's VerbAgg (crossed), mlmRev's Contraception (a random slope) and Mmmec (Poisson with an
    /// offset, nested), `Tools/crosscheck-glmm.R`: the same tolerances.
    @Test("matches glmer on more data", arguments: more)
    func matchesGlmerOnMoreData(_ golden: MoreGolden) throws {
        let frame = try DataLoading.load(dataPath: Fixtures.path("\(golden.dataset).csv")).0
        let family = ResponseFamily(rawValue: golden.family)!
        let model = try PreparedModel.prepare(golden.formula, frame: frame, family: family)
        let fit = try GeneralizedLinearMixedModel.fit(model.design, family: GLMFamily(family))
        #expect(fit.observationCount == golden.nobs)
        #expect(fit.logLikelihood >= golden.logLik - 1e-7 * abs(golden.logLik), "\(Tolerance.describe("logLik", fit.logLikelihood, golden.logLik))")
        #expect(fit.design.fixedNames == golden.fixef.map(\.name))
        for (k, expected) in golden.fixef.enumerated() where k < fit.beta.count {
            #expect(Tolerance.isClose(fit.beta[k], expected.estimate, relative: 1e-3, absolute: 1e-3 * expected.stdError),
                    "\(Tolerance.describe(expected.name, fit.beta[k], expected.estimate))")
            #expect(Tolerance.isClose(fit.standardErrors[k], expected.stdError, relative: 2e-2),
                    "\(Tolerance.describe("SE " + expected.name, fit.standardErrors[k], expected.stdError))")
        }
        func ours(_ name: String?) -> String? { name.map { $0.replacingOccurrences(of: "urbanY", with: "urban[Y]") } }
        for entry in golden.varcorr {
            let component = try #require(fit.components.first { $0.group == ReferenceFit.ourGroupName(entry.group) }, "\(entry.group)")
            let a = try #require(component.terms.firstIndex(of: ours(entry.var1) ?? "(Intercept)"))
            if let second = ours(entry.var2) {
                let b = try #require(component.terms.firstIndex(of: second))
                #expect(Tolerance.isClose(component.correlation[a][b], entry.sdcor, relative: 2e-3, absolute: 2e-3),
                        "\(Tolerance.describe("cor " + entry.group, component.correlation[a][b], entry.sdcor))")
            } else {
                #expect(Tolerance.isClose(component.sd[a], entry.sdcor, relative: 2e-3), "\(Tolerance.describe("sd " + entry.group, component.sd[a], entry.sdcor))")
            }
        }
    }

    /// The same fits from Stata's commands: melogit with binomial() (and `laplace`, the Laplace fit), mepoisson
    /// with nested levels.
    @Test func stataCommandsGiveTheSameFits() throws {
        let cbpp = try DataLoading.load(dataPath: Fixtures.path("cbpp.csv")).0
        let lme4 = try GeneralizedLinearMixedModel.fit(try PreparedModel.prepare("cbind(incidence, size - incidence) ~ period + (1 | herd)", frame: cbpp).design,
                                                       family: GLMFamily(.binomial))
        let stata = try PreparedModel.prepare("melogit incidence i.period || herd:, binomial(size) laplace", frame: cbpp)
        #expect(stata.formula.family == .binomial && stata.formula.options.quadraturePoints == 1)
        let fromStata = try GeneralizedLinearMixedModel.fit(stata.design, family: GLMFamily(.binomial))
        #expect(abs(fromStata.logLikelihood - lme4.logLikelihood) < 1e-8)
        for (a, b) in zip(fromStata.beta, lme4.beta) { #expect(abs(a - b) < 1e-6) }
        // Without laplace, Stata's default: 7-point adaptive quadrature for one random intercept.
        #expect(try PreparedModel.prepare("melogit incidence i.period || herd:, binomial(size)", frame: cbpp).formula.options.quadraturePoints == 7)
        let ticks = try DataLoading.load(dataPath: Fixtures.path("grouseticks.csv")).0
        let nested = try PreparedModel.prepare("mepoisson TICKS i.YEAR cHEIGHT || LOCATION: || BROOD: || INDEX:", frame: ticks)
        #expect(nested.formula.family == .poisson)
        let poisson = try GeneralizedLinearMixedModel.fit(nested.design, family: GLMFamily(.poisson))
        #expect(poisson.logLikelihood >= Self.references[2].logLik - 1e-7 * abs(Self.references[2].logLik))
    }

    /// Responses a family cannot take: one line naming the data row and column (exit 2 in the app).
    @Test func badResponsesNameTheRow() throws {
        let frame = try CSVReader().read(string: "y,x,g\n0,1,a\n1,2,a\n2,3,b\n0,4,b\n")
        for (formula, family, fragment) in [("y ~ x + (1 | g)", ResponseFamily.binomial, "data row 3, column y: 2.0 is not 0 or 1"),
                                            ("cbind(y, x - 3) ~ 1 + (1 | g)", .binomial, "data row 1")] {
            #expect {
                _ = try PreparedModel.prepare(formula, frame: frame, family: family)
            } throws: { error in "\(error)".contains(fragment) }
        }
        let counts = try CSVReader().read(string: "y,x,g\n0,1,a\n1.5,2,a\n2,3,b\n-1,4,b\n")
        #expect {
            _ = try PreparedModel.prepare("y ~ x + (1 | g)", frame: counts, family: .poisson)
        } throws: { error in "\(error)".contains("data row 2, column y: 1.5 is not a count") }
    }

    /// Complete separation: the coefficient runs off, and the fit says so instead of a silent huge number.
    @Test func separationIsADiagnostic() throws {
        var text = "y,x,g\n"
        for i in 0..<80 { text += "\(i < 40 ? 0 : 1),\(Double(i) / 10),g\(i % 8)\n" }
        let frame = try CSVReader().read(string: text)
        let fit = try GeneralizedLinearMixedModel.fit(try PreparedModel.prepare("y ~ x + (1 | g)", frame: frame, family: .binomial).design,
                                                      family: GLMFamily(.binomial))
        #expect(fit.diagnostics.contains { if case .separation(let names) = $0 { names.contains("x") } else { false } })
    }
}
