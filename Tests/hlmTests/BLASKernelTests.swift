import Foundation
import HLMEstimation
import HLMTestSupport
import Testing

/// The kernels OpenBLAS runs: chosen from the CPU's features when OpenBLAS falls back to generic ones,
/// never against the user's own `OPENBLAS_CORETYPE`, and numerically the same fit as the generic kernels.
@Suite("BLAS kernels")
struct BLASKernelTests {
    @Test func choiceFromTheCPUsFeatures() {
        let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        #expect(BLASKernels.preferredCoreType(environment: [:], cpuFlags: avx512, chosen: "Prescott") == "SkylakeX")
        #expect(BLASKernels.preferredCoreType(environment: [:], cpuFlags: ["avx", "avx2", "fma"], chosen: "Prescott") == "Haswell")
        #expect(BLASKernels.preferredCoreType(environment: [:], cpuFlags: ["sse3"], chosen: "Prescott") == nil)
        // OpenBLAS chose well, or the user chose: left alone.
        #expect(BLASKernels.preferredCoreType(environment: [:], cpuFlags: avx512, chosen: "SkylakeX") == nil)
        #expect(BLASKernels.preferredCoreType(environment: ["OPENBLAS_CORETYPE": "Prescott"], cpuFlags: avx512, chosen: "Prescott") == nil)
    }

    /// A crossed model with a dense block of 307 rows (worth the restart) under the generic kernels and
    /// under the chosen ones: the same optimum. Where OpenBLAS misdetects the CPU (as on this project's
    /// VMs), the default run must have restarted onto the chosen kernels.
    @Test func chosenKernelsGiveTheGenericKernelsFit() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-crossed-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: data) }
        let simulated = try CommandLineTests.run(["simulate", "crossed", "--rows", "6000", "--levels", "300,300,5", "--seed", "7", "--output", data.path])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let arguments = ["fit", data.path, "y ~ x + (1 | f1) + (1 | f2) + (1 | f3)", "--format", "json"]
        let generic = try CommandLineTests.run(arguments, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        let chosen = try CommandLineTests.run(arguments, environment: ["OPENBLAS_VERBOSE": "2"])
        #expect(generic.status == 0 && chosen.status == 0, "\(generic.stderr) \(chosen.stderr)")
        if let core = BLASKernels.preferredCoreType() { #expect(chosen.stderr.contains("Core: \(core)"), "\(chosen.stderr)") }
        let a = try #require(try JSONSerialization.jsonObject(with: Data(generic.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(chosen.stdout.utf8)) as? [String: Any])
        #expect(Tolerance.isClose(a["logLikelihood"] as! Double, b["logLikelihood"] as! Double, relative: 1e-12))
        let fa = (a["fixedEffects"] as! [[String: Any]]).map { $0["estimate"] as! Double }
        let fb = (b["fixedEffects"] as! [[String: Any]]).map { $0["estimate"] as! Double }
        for (x, y) in zip(fa, fb) { #expect(Tolerance.isClose(x, y, relative: 1e-7)) }
    }
}
