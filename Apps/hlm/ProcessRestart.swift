import Foundation
import HLMEstimation

/// Settings that are read only when a process loads, chosen by starting `hlm` again, once.
///
/// OpenBLAS chose generic kernels on a CPU it does not know (`BLASKernels`): start again with
/// `OPENBLAS_CORETYPE` set from the CPU's features — only when the model's dense block is large enough
/// for the kernels to matter (`BLASKernels.worthRestarting`; measured: 1.37 s → 0.67 s on a crossed
/// 73k-row design, while a restart costs ~7 ms and the data read again), and never when the data come
/// from standard input. A value the user set is never overridden; `HLM_KEEP_BLAS_KERNELS=1` keeps
/// OpenBLAS's own choice and its thread timeout.
enum ProcessRestart {
    static func restartWithBetterKernelsIfWorthIt(worth: Bool, dataPath: String?) {
        guard worth, dataPath != "-" else { return }
        let environment = ProcessInfo.processInfo.environment
        guard environment["HLM_KEEP_BLAS_KERNELS"] == nil, environment["HLM_BLAS_RESTARTED"] == nil,
              let core = BLASKernels.preferredCoreType(environment: environment) else { return }
        restart(setting: ["OPENBLAS_CORETYPE": core])
    }

    /// The size of an input file from which `hlm` starts itself again before any work (a 1M-row CSV
    /// is about 40 MB).
    static let largeInputBytes = 16 << 20

    /// OpenBLAS starts its worker thread when it loads, and the thread polls for work for about 2²⁸
    /// cycles (0.1 s here) before it sleeps: on two cores that is half the machine while a large CSV
    /// is read on both. When an argument names a file of at least ``largeInputBytes``, start again at
    /// once (nothing read yet; ~9 ms) with `OPENBLAS_THREAD_TIMEOUT=16` (2¹⁶ cycles of polling) and
    /// the better kernels of ``restartWithBetterKernelsIfWorthIt(worth:dataPath:)``. Measured: the
    /// 1M-row benchmark B 0.236 → 0.195 s (best of 10 interleaved runs), the 1M-row numeric-id file
    /// 0.510 → 0.488 s (median of 20). On Linux the same restart asks glibc's allocator for transparent
    /// huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc 2.35 and later; older ones ignore
    /// it): a large input's columns and design matrices are new memory, and a 4 KiB page fault each cost
    /// 40–55 ms of CPU at 1M rows (42,900 faults, 9,000–10,000 with huge pages; the design stage
    /// 0.07–0.08 → 0.04–0.05 s). Values the user set are kept; `HLM_KEEP_BLAS_KERNELS=1` opts out of
    /// both restarts.
    static func restartForLargeInputIfWorthIt() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["HLM_KEEP_BLAS_KERNELS"] == nil, environment["HLM_BLAS_RESTARTED"] == nil,
              environment["OPENBLAS_THREAD_TIMEOUT"] == nil else { return }
        let large = CommandLine.arguments.dropFirst().contains { argument in
            var status = stat()
            return !argument.hasPrefix("-") && stat(argument, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
                && Int(status.st_size) >= largeInputBytes
        }
        guard large else { return }
        var variables = ["OPENBLAS_THREAD_TIMEOUT": "16"]
        #if os(Linux)
        if environment["GLIBC_TUNABLES"] == nil { variables["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1" }
        #endif
        if let core = BLASKernels.preferredCoreType(environment: environment) { variables["OPENBLAS_CORETYPE"] = core }
        restart(setting: variables)
    }

    /// Starts this process again with `variables` set (and `HLM_BLAS_RESTARTED`, so that it happens
    /// once); when exec fails, unsets them and returns, and the process goes on as loaded.
    private static func restart(setting variables: [String: String]) {
        let all = variables.merging(["HLM_BLAS_RESTARTED": "1"]) { a, _ in a }
        for (name, value) in all { setenv(name, value, 1) }
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        for name in all.keys { unsetenv(name) }
    }
}
