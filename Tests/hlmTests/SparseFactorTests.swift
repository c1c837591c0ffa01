import Foundation
import HLMTestSupport
import Testing

/// The sparse (CHOLMOD) factorisation of the rest block against the dense one: the same optimum.
@Suite struct SparseFactorTests {
    /// A crossed model with 1,200 + 300 further levels: fitted on the sparse factor (chosen) and on the
    /// dense one (forced), log-likelihoods within 1e-10 relative, fixed effects and SEs within 1e-6, and the
    /// conditional SDs of every term (`ranef`) within 1e-5.
    @Test func sparseAndDenseFactorsAgree() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-sparse-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: data) }
        let simulated = try CommandLineTests.run(["simulate", "crossed", "--rows", "8000", "--levels", "4000,1200,300", "--seed", "11", "--output", data.path])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let formula = "y ~ x + (1 | f1) + (1 | f2) + (1 | f3)"
        func fit(_ factor: String) throws -> [String: Any] {
            let run = try CommandLineTests.run(["fit", data.path, formula, "--format", "json"], environment: ["HLM_FACTOR": factor])
            #expect(run.status == 0, "\(run.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        }
        let sparse = try fit("sparse"), dense = try fit("dense")
        #expect(Tolerance.isClose(sparse["logLikelihood"] as! Double, dense["logLikelihood"] as! Double, relative: 1e-10))
        for key in ["estimate", "stdError"] {
            let a = (sparse["fixedEffects"] as! [[String: Any]]).map { $0[key] as! Double }
            let b = (dense["fixedEffects"] as! [[String: Any]]).map { $0[key] as! Double }
            #expect(a.count == 2)
            for (x, y) in zip(a, b) { #expect(Tolerance.isClose(x, y, relative: 1e-6), "\(key): \(x) vs \(y)") }
        }
        func ranef(_ factor: String) throws -> String {
            let run = try CommandLineTests.run(["ranef", data.path, formula, "--format", "csv"], environment: ["HLM_FACTOR": factor])
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let a = try ranef("sparse").split(separator: "\n"), b = try ranef("dense").split(separator: "\n")
        #expect(a.count == b.count && a.count > 5500)
        #expect(a.first == b.first)
        var compared = 0
        for (x, y) in zip(a.dropFirst(), b.dropFirst()) {
            let u = x.split(separator: ","), v = y.split(separator: ",")
            #expect(u.count == v.count)
            for (p, q) in zip(u, v) {
                if let p = Double(p), let q = Double(q) {
                    #expect(abs(p - q) <= 1e-5 * max(1, abs(q)), "\(x) vs \(y)")
                    compared += 1
                }
            }
        }
        #expect(compared > 10_000)
    }

    /// A design whose factorisation would not fit in the memory allowed is refused before anything is
    /// allocated: exit 1, one line with the bytes it needs and those available (here `HLM_MEMORY_LIMIT`).
    @Test func aFactorisationBeyondMemoryIsRefused() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-memory-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: data) }
        let simulated = try CommandLineTests.run(["simulate", "crossed", "--rows", "3000", "--levels", "500,300", "--seed", "2", "--output", data.path])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        for factor in ["dense", "sparse"] {
            let run = try CommandLineTests.run(["fit", data.path, "y ~ x + (1 | f1) + (1 | f2)"],
                                               environment: ["HLM_MEMORY_LIMIT": "100000", "HLM_FACTOR": factor])
            #expect(run.status == 1, "\(factor): \(run.stderr)")
            #expect(run.stderr.contains("of memory, more than the 0 MB available") && run.stderr.contains("f2"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1)
        }
    }
}
