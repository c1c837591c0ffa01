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
}
