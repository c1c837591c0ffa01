import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

/// `hlm`: fit hierarchical linear models from the command line.
@main
struct HLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlm",
        abstract: "Hierarchical linear (multilevel, mixed-effects) models.",
        version: HLMVersion.current,
        subcommands: [FitCommand.self, CompareCommand.self, PredictCommand.self, RanefCommand.self, GroupsCommand.self, PlotCommand.self, DescribeCommand.self,
                      SimulateCommand.self, StatsCommand.self, MergeCommand.self])

    /// Runs a subcommand and maps errors to exit codes: 2 for bad usage or input, 1 for a model that
    /// cannot be fitted.
    static func main() {
        KernelChoice.restartForLargeInputIfWorthIt()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as DataError {
            exitWithMessage("hlm: error: \(error)", code: .badInput)
        } catch let error as FormulaError {
            let diagram = error.caretDiagram.map { "\n" + $0 } ?? ""
            exitWithMessage("hlm: error: \(error)\(diagram)", code: .badInput)
        } catch EstimationError.badVarianceSpecification(let message) {
            exitWithMessage("hlm: error: \(message)", code: .badInput)
        } catch let error as EstimationError {
            exitWithMessage("hlm: error: the model cannot be fitted: \(error)", code: .modelFailure)
        } catch let error as HypothesisError {
            exitWithMessage("hlm: error: \(error)", code: .badInput)
        } catch let error as SavedModelError {
            exitWithMessage("hlm: error: \(error)", code: .badInput)
        } catch let error as StatisticsError {
            exitWithMessage("hlm: error: \(error)", code: .badInput)
        } catch let error as CommandFailure {
            exitWithMessage("hlm: error: \(error.message)", code: error.status)
        } catch {
            // Help and version requests exit 0 as ArgumentParser prints them; usage errors exit 2 (cli.md).
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
            exitWithMessage(message, code: code == .validationFailure || code.rawValue == 64 ? .badInput : .modelFailure)
        }
    }

    private static func exitWithMessage(_ message: String, code: ExitCode) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code.rawValue)
    }
}

/// OpenBLAS chose generic kernels on a CPU it does not know (`BLASKernels`): start again, once, with
/// `OPENBLAS_CORETYPE` set from the CPU's features — only when the model's dense block is large enough
/// for the kernels to matter (`BLASKernels.worthRestarting`; measured: 1.37 s → 0.67 s on a crossed
/// 73k-row design, while a restart costs ~7 ms and the data read again), and never when the data come
/// from standard input. A value the user set is never overridden; `HLM_KEEP_BLAS_KERNELS=1` keeps
/// OpenBLAS's own choice.
enum KernelChoice {
    static func restartWithBetterKernelsIfWorthIt(worth: Bool, dataPath: String?) {
        guard worth, dataPath != "-" else { return }
        let environment = ProcessInfo.processInfo.environment
        guard environment["HLM_KEEP_BLAS_KERNELS"] == nil, environment["HLM_BLAS_RESTARTED"] == nil,
              let core = BLASKernels.preferredCoreType(environment: environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("HLM_BLAS_RESTARTED", "1", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // exec failed: go on with OpenBLAS's own kernels.
        unsetenv("OPENBLAS_CORETYPE")
    }
}

extension KernelChoice {
    /// The size of an input file from which `hlm` starts itself again before any work (a 1M-row CSV
    /// is about 40 MB).
    static let largeInputBytes = 16 << 20

    /// OpenBLAS starts its worker thread when it loads, and the thread polls for work for about 2²⁸
    /// cycles (0.1 s here) before it sleeps: on two cores that is half the machine while a large CSV
    /// is read on both. When an argument names a file of at least ``largeInputBytes``, start again at
    /// once (nothing read yet; ~9 ms) with `OPENBLAS_THREAD_TIMEOUT=16` (2¹⁶ cycles of polling) and
    /// the better kernels of ``restartWithBetterKernelsIfWorthIt(denseRows:dataPath:)``. Measured on
    /// the 1M-row benchmark: 0.510 → 0.488 s (median of 20 interleaved runs). Values the user set are kept;
    /// `HLM_KEEP_BLAS_KERNELS=1` opts out of both restarts.
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
        setenv("OPENBLAS_THREAD_TIMEOUT", "16", 1)
        let core = BLASKernels.preferredCoreType(environment: environment)
        if let core { setenv("OPENBLAS_CORETYPE", core, 1) }
        setenv("HLM_BLAS_RESTARTED", "1", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // exec failed: go on as loaded.
        unsetenv("OPENBLAS_THREAD_TIMEOUT"); unsetenv("HLM_BLAS_RESTARTED")
        if core != nil { unsetenv("OPENBLAS_CORETYPE") }
    }
}

/// The release, printed by `hlm --version`.
enum HLMVersion {
    static let current = "0.3.0"
}

/// The exit statuses of `docs/cli.md`, as ArgumentParser's `ExitCode`.
extension ExitCode {
    /// Bad usage or bad input.
    static let badInput = ExitCode(2)
    /// A model that cannot be fitted.
    static let modelFailure = ExitCode.failure
}

/// An error the app raises itself, with its exit status.
struct CommandFailure: Error {
    var message: String
    var status: ExitCode
}
