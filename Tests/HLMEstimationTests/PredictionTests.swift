import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Predictions, random effects with their conditional SDs, fitted values and residuals against lme4
/// (`predict` with `allow.new.levels` and `re.form = NA`, `ranef(condVar = TRUE)`, `fitted`,
/// `residuals`; intervals from lme4's vcov, VarCorr and postVar). Predictions and fitted values within
/// 1e-5 relative; conditional modes and residuals within 1e-5 of their term's (or the response's)
/// largest size, since lme4's optimum and ours differ in θ's last digits; SEs and conditional SDs within 1e-3.
@Suite("Predictions and random effects")
struct PredictionTests {
    static let cases = (try? PredictionReference.all()) ?? []

    static func fit(_ reference: PredictionReference) throws -> LinearMixedModel {
        let design = try ModelFormula.parse(reference.formula).design(for: try Fixtures.frame(reference.dataset))
        return try LinearMixedModel.fit(design, criterion: .reml)
    }

    static func close(_ a: [Double], _ b: [Double], relative: Double, absolute: Double, _ what: String) {
        #expect(a.count == b.count, "\(what): \(a.count) against \(b.count)")
        for (x, y) in zip(a, b) { #expect(Tolerance.isClose(x, y, relative: relative, absolute: absolute), "\(Tolerance.describe(what, x, y))") }
    }

    @Test("predict as lme4", arguments: cases)
    func predictions(_ reference: PredictionReference) throws {
        let model = try PredictionModel(try Self.fit(reference))
        let newdata = try CSVReader().read(string: reference.newdataCSV)
        let conditional = try model.predict(newdata, scope: .all, interval: .prediction)
        Self.close(conditional.map(\.fit), reference.conditional, relative: 1e-5, absolute: 1e-6, "conditional")
        Self.close(conditional.map { $0.se! }, reference.predictionSE, relative: 1e-3, absolute: 0, "prediction SE")
        let marginal = try model.predict(newdata, scope: .none, interval: .confidence)
        Self.close(marginal.map(\.fit), reference.marginal, relative: 1e-5, absolute: 1e-6, "marginal")
        Self.close(marginal.map { $0.se! }, reference.confidenceSE, relative: 1e-3, absolute: 0, "confidence SE")
        #expect(marginal.allSatisfy { Tolerance.isClose($0.upper! - $0.fit, 1.959963984540054 * $0.se!, relative: 1e-12) })
    }

    @Test("ranef(condVar = TRUE) as lme4", arguments: cases)
    func randomEffects(_ reference: PredictionReference) throws {
        let tables = try Self.fit(reference).randomEffects()
        for (lme4Name, levels) in reference.ranef {
            let table = try #require(tables.first { $0.group == ReferenceFit.ourGroupName(lme4Name) }, "\(lme4Name)")
            for level in levels {
                let ours = try #require(table.levels.first { $0.level == level.level.split(separator: ":").reversed().joined(separator: ":") },
                                        "\(lme4Name) \(level.level)")
                let scale = levels.flatMap(\.mode).map(abs).max() ?? 1
                Self.close(ours.mode, level.mode, relative: 1e-5, absolute: 1e-5 * scale, "mode \(level.level)")
                Self.close(ours.condSD, level.condSD, relative: 1e-3, absolute: 0, "condSD \(level.level)")
            }
        }
    }

    @Test("fitted and residuals as lme4", arguments: cases)
    func fittedAndResiduals(_ reference: PredictionReference) throws {
        let rows = try Self.fit(reference).fittedRows()
        Self.close(rows.map(\.fitted), reference.fitted, relative: 1e-5, absolute: 1e-6, "fitted")
        let scale = reference.fitted.map(abs).max() ?? 1
        Self.close(rows.map(\.residual), reference.residuals, relative: 1e-5, absolute: 1e-5 * scale, "residual")
    }

    @Test("a saved model predicts as the fit", arguments: cases)
    func savedModelRoundTrip(_ reference: PredictionReference) throws {
        let fit = try Self.fit(reference)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-model-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let encoder = JSONEncoder()
        try encoder.encode(try SavedModel(fit)).write(to: file)
        let restored = try SavedModel.read(file.path).predictionModel()
        let newdata = try CSVReader().read(string: reference.newdataCSV)
        let direct = try PredictionModel(fit).predict(newdata, interval: .prediction)
        #expect(try restored.predict(newdata, interval: .prediction) == direct)
        #expect(try SavedModel.read(file.path).randomEffectsTables == fit.randomEffects())
    }

    @Test func damagedModelFilesAreRefused() throws {
        let fit = try Self.fit(try #require(Self.cases.first))
        let data = try JSONEncoder().encode(try SavedModel(fit))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-damaged-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        // Cut at every tenth of its length.
        for tenth in 1..<10 {
            try data.prefix(data.count * tenth / 10).write(to: file)
            #expect(throws: SavedModelError.self) { try SavedModel.read(file.path) }
        }
        // A version from the future, named as such.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["version"] = SavedModel.currentVersion + 1
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        #expect(throws: SavedModelError.newerVersion(file.path, SavedModel.currentVersion + 1, SavedModel.currentVersion)) { try SavedModel.read(file.path) }
        // A number that is not one, and sizes that do not agree.
        object["version"] = SavedModel.currentVersion
        object["sigma"] = -1
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        #expect(throws: SavedModelError.self) { try SavedModel.read(file.path) }
        object["sigma"] = 1
        object["beta"] = [1.0]
        object["fixedNames"] = ["(Intercept)", "Days"]
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        #expect(throws: SavedModelError.self) { try SavedModel.read(file.path) }
        try Data("{\"schema\": \"something else\"}".utf8).write(to: file)
        #expect(throws: SavedModelError.self) { try SavedModel.read(file.path) }
    }

    @Test("a digit changed in a saved model's numbers is refused by its checksum")
    func changedDigitRefused() throws {
        let fit = try Self.fit(try #require(Self.cases.first))
        let text = String(decoding: try JSONEncoder().encode(try SavedModel(fit)), as: UTF8.self)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-flipped-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(text.utf8).write(to: file)
        #expect(throws: Never.self) { try SavedModel.read(file.path) }
        for field in ["\"beta\":[", "\"sigma\":", "\"betaCovariance\":["] {
            let range = try #require(text.range(of: field))
            var bytes = Array(text.utf8)
            var k = text.utf8.distance(from: text.utf8.startIndex, to: range.upperBound.samePosition(in: text.utf8)!)
            while !(bytes[k] >= 0x31 && bytes[k] <= 0x38) { k += 1 }
            bytes[k] += 1
            try Data(bytes).write(to: file)
            let error = try #require(throws: SavedModelError.self) { try SavedModel.read(file.path) }
            #expect(error.description.contains("checksum"), "\(field): \(error)")
        }
    }

    @Test func newDataErrorsNameTheRow() throws {
        let model = try PredictionModel(try Self.fit(try #require(Self.cases.first { $0.dataset == "sleepstudy" })))
        #expect(throws: FormulaError.self) { try model.predict(try CSVReader().read(string: "Subject\n308\n")) }
        do {
            _ = try model.predict(try CSVReader().read(string: "Days,Subject\n1,308\nNA,309\n"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("data row 2"))
        }
    }

    @Test func unseenFactorLevelIsAnError() throws {
        let design = try ModelFormula.parse("gcse ~ lrt + schgend + (1 | school)").design(for: try Fixtures.frame("gcse"))
        let model = try PredictionModel(try LinearMixedModel.fit(design, criterion: .reml))
        let ok = try model.predict(try CSVReader().read(string: "lrt,schgend,school\n1,2,1\n"))
        #expect(ok.count == 1)
        do {
            _ = try model.predict(try CSVReader().read(string: "lrt,schgend,school\n1,2,1\n2,7,1\n"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("data row 2") && "\(error)".contains("not seen"))
        }
    }
}
