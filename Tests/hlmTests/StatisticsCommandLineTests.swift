import Foundation
import HLMTestSupport
import Testing

/// `hlm stats`, `hlm merge`, `hlm fit ALL.stats` and `fit --streaming` as scripts meet them: the same
/// fit as from the rows, and every bad input one line with exit 2.
@Suite("hlm stats and merge")
struct StatisticsCommandLineTests {
    static let formula = "Reaction ~ Days + (Days | Subject)"

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-stats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func logLik(_ output: String) throws -> Double {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        return try #require(object["logLikelihood"] as? Double)
    }

    /// sleepstudy's rows dealt into three CSV partitions (every subject in each).
    static func partitions(in folder: URL) throws -> [String] {
        let lines = try String(contentsOfFile: Fixtures.path("sleepstudy.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        return try (0..<3).map { k in
            let path = folder.appendingPathComponent("part\(k).csv").path
            let rows = lines.dropFirst().enumerated().filter { $0.offset % 3 == k }.map(\.element)
            try ([lines[0]] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    @Test("stats, merge and fit give the fit from the rows; so does --streaming")
    func sameFit() throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parts = try Self.partitions(in: folder)
        var stats: [String] = []
        for (k, part) in parts.enumerated() {
            stats.append(folder.appendingPathComponent("p\(k).stats").path)
            let made = try CommandLineTests.run(["stats", part, Self.formula, "--output", stats[k]])
            #expect(made.status == 0, "\(made.stderr)")
        }
        let all = folder.appendingPathComponent("all.stats").path
        #expect(try CommandLineTests.run(["merge", "--output", all] + stats).status == 0)
        let summed = try CommandLineTests.run(["fit", all, Self.formula, "--format", "json"])
        #expect(summed.status == 0, "\(summed.stderr)")
        let rows = try CommandLineTests.run(["fit", Fixtures.path("sleepstudy.csv"), Self.formula, "--format", "json"])
        let streamed = try CommandLineTests.run(["fit", Fixtures.path("sleepstudy.csv"), Self.formula, "--streaming", "--format", "json"])
        let reference = try Self.logLik(rows.stdout)
        #expect(Tolerance.isClose(try Self.logLik(summed.stdout), reference, relative: 1e-9))
        #expect(Tolerance.isClose(try Self.logLik(streamed.stdout), reference, relative: 1e-9))
        // Standard input streams too.
        let csv = try String(contentsOfFile: Fixtures.path("sleepstudy.csv"), encoding: .utf8)
        let piped = try CommandLineTests.run(["fit", "-", Self.formula, "--streaming", "--format", "json"], stdin: csv)
        #expect(Tolerance.isClose(try Self.logLik(piped.stdout), reference, relative: 1e-9))
    }

    @Test("--streaming --residuals: a second pass gives the residuals of the fit from the rows")
    func streamingResiduals() throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gcse = Fixtures.path("gcse.csv"), formula = "gcse ~ lrt * schgend + (lrt | school)"
        let rows = folder.appendingPathComponent("rows.csv").path, streamed = folder.appendingPathComponent("streamed.csv").path
        #expect(try CommandLineTests.run(["fit", gcse, formula, "--where", "nstu > 4", "--residuals", rows]).status == 0)
        let run = try CommandLineTests.run(["fit", gcse, formula, "--where", "nstu > 4", "--streaming", "--residuals", streamed])
        #expect(run.status == 0, "\(run.stderr)")
        func table(_ path: String) throws -> [[Double]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        }
        let a = try table(rows), b = try table(streamed)
        #expect(a.count == 4057 && b.count == a.count)
        for (x, y) in zip(a, b) {
            #expect(x[0] == y[0], "the same data row")
            for k in 1..<x.count { #expect(Tolerance.isClose(y[k], x[k], relative: 1e-9, absolute: 1e-9)) }
        }
        let piped = try CommandLineTests.run(["fit", "-", formula, "--streaming", "--residuals", streamed],
                                             stdin: try String(contentsOfFile: gcse, encoding: .utf8))
        #expect(piped.status == 2 && piped.stderr.contains("standard input"))
    }

    @Test("bad statistics input: one line naming the file, exit 2")
    func refusals() throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parts = try Self.partitions(in: folder)
        let a = folder.appendingPathComponent("a.stats").path, b = folder.appendingPathComponent("b.stats").path
        _ = try CommandLineTests.run(["stats", parts[0], Self.formula, "--output", a])
        _ = try CommandLineTests.run(["stats", parts[1], "Reaction ~ Days + (1 | Subject)", "--output", b])
        let cut = folder.appendingPathComponent("cut.stats").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let cases: [([String], String)] = [
            (["merge", "--output", folder.appendingPathComponent("x.stats").path, a, b], "b.stats"),
            (["merge", "--output", folder.appendingPathComponent("x.stats").path, a, cut], "cut.stats"),
            (["merge", "--output", folder.appendingPathComponent("x.stats").path, a, Fixtures.path("sleepstudy.csv")], "sleepstudy.csv"),
            (["fit", a, "Reaction ~ Days + (1 | Subject)"], "a.stats"),
            (["fit", a, Self.formula, "--residuals", folder.appendingPathComponent("r.csv").path], "--residuals"),
            (["fit", a, Self.formula, "--where", "Days > 2"], "--where"),
            (["stats", parts[0], "Reaction ~ center(Days) + (1 | Subject)", "--output", b], "whole data"),
            (["fit", Fixtures.path("gcse.csv"), "gcse ~ lrt + (1 | school) + (1 | schgend)", "--streaming"], "one random-effects term"),
        ]
        for (arguments, named) in cases {
            let result = try CommandLineTests.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("hlm: error: "), "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
    }
}
