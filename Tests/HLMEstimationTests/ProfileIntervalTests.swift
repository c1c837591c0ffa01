import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Profile-likelihood intervals against lme4's `confint(method = "profile")` on sleepstudy by ML
/// (`Examples/data/reference-round2.json`, the shared golden file): within 1e-4 relative (5e-5 seen; lme4 reads its
/// limits off a spline through its profile grid).
@Suite("Profile intervals")
struct ProfileIntervalTests {
    struct Golden: Decodable {
        struct Interval: Decodable { var parameter: String; var lower: Double; var upper: Double }
        struct Entry: Decodable { var kind: String; var dataset: String; var formula: String; var method: String; var intervals: [Interval]? }
        var inference: [Entry]
    }

    @Test func sleepstudyMatchesLme4() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-round2.json")))
        let golden = try #require(try JSONDecoder().decode(Golden.self, from: data).inference.first { $0.kind == "profile" })
        let design = try ModelFormula.parse(golden.formula).design(for: try Fixtures.frame(golden.dataset))
        let fit = try LinearMixedModel.fit(design, criterion: .ml)
        let profile = try ProfileIntervals.compute(fit: fit)
        let ours: [String: [Double]] = [
            "sd_(Intercept)|Subject": profile.sd[0][0], "cor_Days.(Intercept)|Subject": profile.correlation[0][0][1],
            "sd_Days|Subject": profile.sd[0][1], "sigma": profile.sigma,
            "(Intercept)": try #require(profile.fixed)[0], "Days": try #require(profile.fixed)[1],
        ]
        let intervals = try #require(golden.intervals)
        #expect(intervals.count == 6)
        for interval in intervals {
            let mine = try #require(ours[interval.parameter], "\(interval.parameter)")
            #expect(Tolerance.isClose(mine[0], interval.lower, relative: 1e-4), "\(Tolerance.describe(interval.parameter + " lower", mine[0], interval.lower))")
            #expect(Tolerance.isClose(mine[1], interval.upper, relative: 1e-4), "\(Tolerance.describe(interval.parameter + " upper", mine[1], interval.upper))")
        }
    }

    struct ProfileReference: Decodable, CustomStringConvertible {
        var dataset: String
        var formula: String
        var filter: String?
        var method: String
        var intervals: [Golden.Interval]
        var description: String { "\(dataset): \(formula) (\(method))" }
    }

    static let references: [ProfileReference] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-profile.json"))) else { return [] }
        return (try? JSONDecoder().decode([ProfileReference].self, from: data)) ?? []
    }()

    /// lme4's limits for the slides' models 1 and 2 (ML) and penicillin and pastes (REML, variance parameters),
    /// `Tools/crosscheck-profile.R`: within 2e-3 relative (or 1e-4 absolute for a limit at 0).
    @Test("matches lme4's confint(profile)", arguments: references)
    func matchesLme4(_ reference: ProfileReference) throws {
        let frame = try Fixtures.frame(reference.dataset)
        let model = try PreparedModel.prepare(reference.formula, frame: frame, where: reference.filter)
        let fit = try LinearMixedModel.fit(model.design, criterion: reference.method == "ML" ? .ml : .reml)
        let profile = try ProfileIntervals.compute(fit: fit)
        #expect(reference.intervals.count >= 3)
        for interval in reference.intervals {
            let mine = try #require(Self.ours(interval.parameter, fit: fit, profile: profile), "\(interval.parameter)")
            #expect(Tolerance.isClose(mine[0], interval.lower, relative: 2e-3, absolute: 1e-4), "\(Tolerance.describe(interval.parameter + " lower", mine[0], interval.lower))")
            #expect(Tolerance.isClose(mine[1], interval.upper, relative: 2e-3, absolute: 1e-4), "\(Tolerance.describe(interval.parameter + " upper", mine[1], interval.upper))")
        }
    }

    /// Our interval for lme4's parameter name: `sd_term|group`, `cor_a.b|group`, `sigma`, or a coefficient.
    static func ours(_ parameter: String, fit: LinearMixedModel, profile: ProfileIntervals) -> [Double]? {
        if parameter == "sigma" { return profile.sigma }
        for prefix in ["sd_", "cor_"] where parameter.hasPrefix(prefix) {
            let body = parameter.dropFirst(prefix.count)
            guard let bar = body.lastIndex(of: "|") else { return nil }
            let group = ReferenceFit.ourGroupName(String(body[body.index(after: bar)...]))
            guard let k = fit.components.firstIndex(where: { $0.group == group }) else { return nil }
            let terms = fit.components[k].terms
            if prefix == "sd_" { return terms.firstIndex(of: String(body[..<bar])).map { profile.sd[k][$0] } }
            let pair = body[..<bar]
            for (a, first) in terms.enumerated() where pair.hasPrefix(first + ".") {
                if let b = terms.firstIndex(of: String(pair.dropFirst(first.count + 1))) { return profile.correlation[k][a][b] }
            }
            return nil
        }
        return fit.design.fixedNames.firstIndex(of: parameter).flatMap { profile.fixed?[$0] }
    }

    /// The bootstrap's percentile intervals for the slides' model 1 within a few percent of the profile's.
    @Test func bootstrapAgreesWithProfile() throws {
        let frame = try Fixtures.frame("gcse")
        let model = try PreparedModel.prepare("gcse ~ lrt + (1 | school)", frame: frame, where: "nstu > 4")
        let fit = try LinearMixedModel.fit(model.design, criterion: .ml)
        let profile = try ProfileIntervals.compute(fit: fit)
        let boot = try ParametricBootstrap.intervals(fit: fit, replicates: 2000, seed: 3)
        for (name, a, b) in [("sd", profile.sd[0][0], boot.sd[0][0]), ("sigma", profile.sigma, boot.sigma),
                             ("lrt", try #require(profile.fixed)[1], boot.fixed[1])] {
            #expect(abs(a[0] - b[0]) < 0.05 * abs(a[0]), "\(name) lower: profile \(a[0]), bootstrap \(b[0])")
            #expect(abs(a[1] - b[1]) < 0.05 * abs(a[1]), "\(name) upper: profile \(a[1]), bootstrap \(b[1])")
        }
    }
}
