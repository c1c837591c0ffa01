import Foundation
import HLMReport
import HLMTestSupport
import Testing

/// The JSON report carries the keys of docs/fit-json.md with their meaning.
@Suite("JSON report")
struct JSONReportTests {
    @Test func keysOfTheSpec() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let json = try JSONRendering.render(FitReport(fit))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["formula", "method", "nobs", "droppedRows", "groups", "logLikelihood", "deviance", "aic", "bic",
                    "converged", "singular", "iterations", "optimizer", "fixedEffects", "randomEffects", "residualSD",
                    "lrTestVsLinear", "waldTest"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["method"] as? String == "ML")
        #expect(object["nobs"] as? Int == 4057)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.first?["name"] as? String == "school")
        #expect(groups.first?["count"] as? Int == 64)
        #expect(groups.first?["minSize"] as? Int == 8)
        #expect(groups.first?["maxSize"] as? Int == 198)
        let logLikelihood = try #require(object["logLikelihood"] as? Double)
        #expect(abs(logLikelihood - -13998.4388) < 1e-4)
        #expect(abs((object["deviance"] as? Double ?? 0) + 2 * logLikelihood) < 1e-9)
        let random = try #require((object["randomEffects"] as? [[String: Any]])?.first)
        #expect(random["terms"] as? [String] == ["(Intercept)", "lrt"])
        #expect(random["covariance"] as? String == "unstructured")
        let lr = try #require(object["lrTestVsLinear"] as? [String: Any])
        #expect(abs((lr["statistic"] as? Double ?? 0) - 443.62) < 0.005)
        #expect(lr["df"] as? Int == 3)
        let wald = try #require(object["waldTest"] as? [String: Any])
        #expect(abs((wald["statistic"] as? Double ?? 0) - 779.93) < 0.005)
        // The optimiser's path (evaluation counts) may differ between machines: not part of the snapshot.
        var stable = object
        for key in ["iterations", "optimization", "optimizer"] { stable.removeValue(forKey: key) }
        let stableJSON = String(decoding: try JSONSerialization.data(withJSONObject: stable, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        let problem = Snapshot.mismatch(stableJSON, named: "slides-model2.json")
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test func remlFitsHaveNoLRTestAgainstLinear() throws {
        let fit = try ReportFixtures.fit("Reaction ~ Days + (Days | Subject)", dataset: "sleepstudy", criterion: .reml)
        let json = try JSONRendering.render(FitReport(fit))
        #expect(!json.contains("lrTestVsLinear"))
        #expect(json.contains("\"method\" : \"REML\""))
    }

    /// The ICC's interval: the delta method on the logit scale, against the same computed in R from lme4's
    /// deviance with numDeriv's Hessian (`Tools/crosscheck-icc.R`): 0.1405396770, [0.0989033776, 0.1958935084].
    @Test func iccIntervalMatchesR() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (1 | school)")
        let icc = try #require(FitReport(fit).icc.first)
        #expect(abs(icc.value - 0.1405396770) < 1e-6)
        #expect(abs((icc.ciLower ?? 0) - 0.0989033776) < 1e-5)
        #expect(abs((icc.ciUpper ?? 0) - 0.1958935084) < 1e-5)
        // At 90% the interval is narrower, around the same value.
        let narrower = try #require(FitReport(fit, level: 0.9).icc.first)
        #expect((narrower.ciLower ?? 0) > (icc.ciLower ?? 1) && (narrower.ciUpper ?? 1) < (icc.ciUpper ?? 0))
    }
}
