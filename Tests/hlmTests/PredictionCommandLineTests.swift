import Foundation
import HLMTestSupport
import Testing

/// `predict`, `ranef`, `fit --save` and `fit --residuals` as scripts use them (docs/cli.md).
@Suite("Predictions on the command line")
struct PredictionCommandLineTests {
    static let sleep = Fixtures.path("sleepstudy.csv")
    static let formula = "Reaction ~ Days + (Days | Subject)"

    static func temporary(_ name: String, _ contents: String? = nil) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-\(UUID().uuidString)-\(name)")
        if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
        return url
    }

    @Test func savedModelPredictsAsTheRefit() throws {
        let model = try Self.temporary("model.json"), newdata = try Self.temporary("new.csv", "Days,Subject\n0,308\n5,309\n3,999\n")
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: newdata) }
        let fit = try CommandLineTests.run(["fit", Self.sleep, Self.formula, "--save", model.path])
        #expect(fit.status == 0, "\(fit.stderr)")
        let fromFile = try CommandLineTests.run(["predict", "--model", model.path, "--newdata", newdata.path, "--interval", "prediction"])
        let refit = try CommandLineTests.run(["predict", Self.sleep, Self.formula, "--newdata", newdata.path, "--interval", "prediction"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout == refit.stdout)
        #expect(fromFile.stdout.hasPrefix("Days,Subject,fit,se,lower,upper\n"))
        let json = try CommandLineTests.run(["predict", "--model", model.path, "--newdata", newdata.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["reForm"] as? String == "all")
        let first = try #require((object["predictions"] as? [[String: Any]])?.first)
        #expect(Tolerance.isClose(first["fit"] as! Double, 253.66367034908, relative: 1e-5))
        let ranef = try CommandLineTests.run(["ranef", "--model", model.path, "--format", "json"])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(ranef.stdout.utf8)) as? [String: Any])
        let term = try #require((body["ranef"] as? [[String: Any]])?.first)
        #expect(term["group"] as? String == "Subject")
        let level = try #require((term["levels"] as? [[String: Any]])?.first)
        #expect(Tolerance.isClose((level["condSD"] as! [Double])[0], 12.0708365073543, relative: 1e-3))
    }

    @Test func residualsFollowTheFileOrder() throws {
        let out = try Self.temporary("residuals.csv")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try CommandLineTests.run(["fit", Self.sleep, Self.formula, "--where", "Days > 1", "--residuals", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "row,fitted,residual,fittedMarginal,residualMarginal")
        #expect(lines.count == 1 + 144)
        let rows = lines.dropFirst().map { Int($0.split(separator: ",")[0])! }
        #expect(rows == rows.sorted())
        #expect(rows.first == 3, "data rows 1 and 2 are days 0 and 1")
        // fitted + residual = the response.
        let first = lines[1].split(separator: ",").map { Double($0)! }
        #expect(Tolerance.isClose(first[1] + first[2], 250.8006, relative: 1e-9))
    }

    @Test("bad input: one line, exit 2", arguments: [
        (["predict", sleep, formula, "--newdata", "/nonexistent.csv"], "/nonexistent.csv"),
        (["predict", "--model", "/nonexistent.json", "--newdata", sleep], "/nonexistent.json"),
        (["predict", sleep, "--newdata", sleep], "give DATA FORMULA"),
        (["ranef", "--model", sleep], "not an hlm model file"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try CommandLineTests.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func newDataWithoutAColumnNamesIt() throws {
        let newdata = try Self.temporary("new.csv", "Subject\n308\n")
        defer { try? FileManager.default.removeItem(at: newdata) }
        let result = try CommandLineTests.run(["predict", Self.sleep, Self.formula, "--newdata", newdata.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Days"))
    }
}

/// `hlm groups` for every term of every model: EB estimates with their conditional SEs.
@Suite("Groups for every model")
struct GroupsEveryModelTests {
    @Test func crossedModelHasATablePerTerm() throws {
        let result = try CommandLineTests.run(["groups", Fixtures.path("penicillin.csv"), "diameter ~ 1 + (1 | plate) + (1 | sample)", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let tables = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(tables.map { $0["group"] as? String } == ["plate", "sample"])
        let plate = try #require((tables[0]["groups"] as? [[String: Any]])?.first { $0["name"] as? String == "a" })
        // lme4: fixef 22.9722 + ranef 0.80455, condSD 0.271359 (Tools/crosscheck-prediction.R).
        #expect(Tolerance.isClose((plate["empiricalBayes"] as! [Double])[0], 22.9722222222219 + 0.804546905840962, relative: 1e-6))
        #expect(Tolerance.isClose((plate["empiricalBayesStdError"] as! [Double])[0], 0.271359302595889, relative: 1e-3))
        #expect(plate["ols"] == nil)
    }
}
