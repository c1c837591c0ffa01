import Foundation
import HLMFormula
import _COpenBLAS

/// OpenBLAS picks its kernels from the CPU model when it loads; where the model is masked (VMs, some
/// laptops) it falls back to generic SSE3 kernels ("Prescott") although the CPU has AVX2 or AVX-512, and
/// dense factorisations run 2–3 times slower. This reads what OpenBLAS chose and what the CPU can do.
/// OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads, so the remedy is the caller's: set it and
/// start the process again (the `hlm` app does, once, before any work).
public enum BLASKernels {
    /// The core type OpenBLAS chose.
    public static var chosen: String {
        guard let name = openblas_get_corename() else { return "" }
        return String(cString: name)
    }

    /// Kernels no better than SSE3: what OpenBLAS falls back to when it does not know the CPU model.
    static let generic: Set<String> = ["prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington",
                                       "atom", "nehalem", "unknown"]

    /// The core type to ask for instead, or nil when OpenBLAS's choice stands (it chose well, the user
    /// set `OPENBLAS_CORETYPE`, or the CPU's features are unknown). From the CPU's flags: AVX-512
    /// (F, CD, BW, DQ, VL) → SkylakeX; AVX2 and FMA → Haswell; AVX → SandyBridge.
    public static func preferredCoreType(environment: [String: String] = ProcessInfo.processInfo.environment,
                                         cpuFlags: Set<String>? = nil, chosen: String = BLASKernels.chosen) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, generic.contains(chosen.lowercased()) else { return nil }
        guard let flags = cpuFlags ?? Self.cpuFlags() else { return nil }
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if flags.contains("avx") { return "SandyBridge" }
        return nil
    }

    /// Whether a dense block of this many rows is worth a restart for better kernels: from 256 rows its
    /// factorisation dominates an evaluation. A binomial or Poisson fit factors it at every PIRLS step
    /// (two or three an evaluation): from 96 rows LAPACK factors. grouseticks' 185 took 0.39 → 0.34 s whole
    /// process with the restart; since its broods are eliminated before LAPACK (67 rows left), 0.118 s
    /// without against 0.137 s with (best of 9, interleaved).
    public static func worthRestarting(denseRows: Int, generalized: Bool = false) -> Bool { denseRows >= (generalized ? 96 : 256) }

    /// ``worthRestarting(denseRows:generalized:)`` for a design.
    public static func worthRestarting(_ design: ModelDesign) -> Bool {
        let generalized = design.family.map { $0 != .gaussian } ?? false
        return worthRestarting(denseRows: generalized ? generalizedDenseRows(design) : denseRows(design), generalized: generalized)
    }

    /// The rows LAPACK factors in a binomial or Poisson fit: the terms after the largest and X's columns,
    /// less the next term's when it is scalar and nested in the largest (``WeightedSystem``'s diagonal lead).
    public static func generalizedDenseRows(_ design: ModelDesign) -> Int {
        let terms = design.randomTerms
        let sizes = terms.map { $0.termCount * $0.groupCount }
        guard let first = sizes.indices.max(by: { sizes[$0] < sizes[$1] }) else { return design.x.columns }
        var rows = sizes.reduce(0, +) - sizes[first] + design.x.columns
        if let next = terms.indices.first(where: { $0 != first }), terms[next].termCount == 1 {
            var level = [Int32](repeating: -1, count: terms[first].groupCount)
            var nested = true
            for (g, h) in zip(terms[first].codes, terms[next].codes) {
                if level[Int(g)] == -1 { level[Int(g)] = h } else if level[Int(g)] != h { nested = false; break }
            }
            if nested { rows -= sizes[next] }
        }
        return rows
    }

    /// The rows of the factor's dense block for a design: every term's columns but the largest one's,
    /// plus X's and y's.
    public static func denseRows(_ design: ModelDesign) -> Int {
        let sizes = design.randomTerms.map { $0.termCount * $0.groupCount }
        return sizes.reduce(0, +) - (sizes.max() ?? 0) + design.x.columns + 1
    }

    /// The CPU's feature flags (Linux's /proc/cpuinfo); nil where they cannot be read.
    static func cpuFlags() -> Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
