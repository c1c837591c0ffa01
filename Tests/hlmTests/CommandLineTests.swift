import Foundation
import HLMTestSupport
import Testing

/// The `hlm` executable as users and scripts meet it: exit statuses, one-line errors, --output.
@Suite("hlm command line")
struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `hlm` built beside this test bundle.
    static let executable: URL = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("hlm")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/hlm")
    }()

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // hlm may refuse its input before reading it all: a closed pipe is then an error to ignore, not a signal.
        signal(SIGPIPE, SIG_IGN)
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    static let gcse = Fixtures.path("gcse.csv")

    @Test func describeShowsTheCodebook() throws {
        let result = try Self.run(["describe", Self.gcse])
        #expect(result.status == 0)
        #expect(result.stdout.contains("4059 rows"))
        #expect(result.stdout.contains("schgend  categorical  School gender composition"))
        #expect(result.stdout.contains("mixed 2169, boys 513, girls 1377"))
    }

    @Test func fitJSONOnStdoutOnly() throws {
        let result = try Self.run(["fit", Self.gcse, "gcse lrt || school: lrt if nstu > 4, mle covariance(unstructured)", "--format", "json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["nobs"] as? Int == 4057)
        #expect(object?["method"] as? String == "ML")
    }

    @Test func standardInput() throws {
        let csv = try String(contentsOfFile: Fixtures.path("dyestuff.csv"), encoding: .utf8)
        let result = try Self.run(["fit", "-", "Yield ~ 1 + (1 | Batch)", "--format", "json"], stdin: csv)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"nobs\" : 30"))
    }

    @Test("bad input exits 2 with one line naming the place", arguments: [
        (["fit", "/nonexistent.csv", "y ~ x + (1 | g)"], "/nonexistent.csv: cannot read"),
        (["fit", gcse, "gcse ~ lrtt + (1 | school)"], "unknown variable \"lrtt\" (did you mean \"lrt\"?)"),
        (["fit", gcse, "gcse ~ lrt + (1 | school"], "formula position"),
        (["fit", gcse, "gcse lrt || school: lrt, covariance(weird)"], "unknown covariance structure"),
        (["fit", gcse, "gcse = b0 + b1*lrt + r; b0 = g00 + u0", "--group", "school", "--where", "nstu >> 4"], "--where \"nstu >> 4\": position 7"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--method", "gls", "--variance", "school: 1 2; residual: 3"], "--variance"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--format", "yaml"], "yaml"),
        // Generalized models: never a silent linear fit, never an option that does nothing.
        (["fit", Fixtures.path("cbpp.csv"), "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--family", "gaussian"], "but --family is gaussian"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--nagq", "5"], "--nagq"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--family", "binomial"], "is not 0 or 1"),
        (["predict", Fixtures.path("cbpp.csv"), "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--newdata", Fixtures.path("cbpp.csv")], "linear mixed models"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--test", "lrtt = 0"], "did you mean"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--method", "ml", "--df", "kenward-roger"], "REML"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--rename", "lrt"], "--rename takes old=new"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func formulaErrorsShowACaret() throws {
        let result = try Self.run(["fit", Self.gcse, "gcse ~ lrt + * (1 | school)"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.last?.hasSuffix("^") == true)
    }

    @Test func malformedCSVNamesLineAndColumn() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-bad-\(UUID().uuidString).csv")
        try "y,g\n1,a\n2,\"b\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["describe", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file.path):3:3: quoted field is never closed"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func unfittableModelExits1() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-const-\(UUID().uuidString).csv")
        try "y,g\n3,a\n3,a\n3,b\n3,b\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["fit", file.path, "y ~ 1 + (1 | g)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the response is constant"))
    }

    @Test func outputIsWrittenAtomicallyAndNeverPartially() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("fit.json")
        try "previous".write(to: target, atomically: true, encoding: .utf8)
        // A failing run leaves the old file as it was and no temporary file behind.
        let failing = try Self.run(["fit", Self.gcse, "gcse ~ nope + (1 | school)", "--format", "json", "--output", target.path])
        #expect(failing.status == 2)
        #expect(try String(contentsOf: target, encoding: .utf8) == "previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["fit.json"])
        // A successful run replaces it whole.
        let ok = try Self.run(["fit", Self.gcse, "gcse ~ lrt + (1 | school)", "--format", "json", "--output", target.path])
        #expect(ok.status == 0)
        #expect(ok.stdout.isEmpty)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("\"nobs\" : 4059"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["fit.json"])
        // An output path in a missing directory is an error, not a crash.
        let missing = try Self.run(["fit", Self.gcse, "gcse ~ lrt + (1 | school)", "--output", directory.path + "/no/such/dir/x.txt"])
        #expect(missing.status == 2)
    }
}
