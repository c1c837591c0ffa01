import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// The parametric bootstrap: the same intervals for a seed on one thread or two, and percentile
/// intervals close to lme4's `confint(method = "boot")` (2,000 replicates each, `Tools/crosscheck-bootstrap.R`)
/// up to Monte-Carlo error: each limit within a tenth of the interval's width (the replicates differ).
@Suite("Parametric bootstrap")
struct BootstrapTests {
    static func modelOne() throws -> LinearMixedModel {
        let frame = try Fixtures.frame("gcse")
        let model = try PreparedModel.prepare("gcse ~ lrt + (1 | school)", frame: frame, where: "nstu > 4")
        return try LinearMixedModel.fit(model.design, criterion: .ml)
    }

    @Test func sameSeedSameIntervalsOnAnyThreadCount() throws {
        let fit = try Self.modelOne()
        let one = try ParametricBootstrap.intervals(fit: fit, replicates: 200, seed: 7, threads: 1)
        let two = try ParametricBootstrap.intervals(fit: fit, replicates: 200, seed: 7, threads: 2)
        #expect(one == two)
        let other = try ParametricBootstrap.intervals(fit: fit, replicates: 200, seed: 8, threads: 2)
        #expect(other.fixed != one.fixed)
    }

    @Test func percentileIntervalsAgreeWithLme4() throws {
        let fit = try Self.modelOne()
        let ours = try ParametricBootstrap.intervals(fit: fit, replicates: 2000, seed: 1)
        #expect(ours.failed == 0)
        let lme4: [(String, [Double], [Double])] = [
            ("sd school", ours.sd[0][0], [2.4016584047, 3.5806319094]),
            ("sigma", ours.sigma, [7.3627583491, 7.6827495509]),
            ("(Intercept)", ours.fixed[0], [-0.7402529666, 0.8509006377]),
            ("lrt", ours.fixed[1], [0.5396009469, 0.5880780327]),
        ]
        for (name, mine, theirs) in lme4 {
            let width = theirs[1] - theirs[0]
            #expect(abs(mine[0] - theirs[0]) < 0.1 * width, "\(name) lower \(mine[0]) vs \(theirs[0])")
            #expect(abs(mine[1] - theirs[1]) < 0.1 * width, "\(name) upper \(mine[1]) vs \(theirs[1])")
        }
    }
}
