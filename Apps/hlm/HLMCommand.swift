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
        ProcessRestart.restartForLargeInputIfWorthIt()
        // One fit at a time, BLAS from one thread: the first two-thread split may end OpenBLAS's idle worker.
        BLASThreads.endsIdleWorkers = true
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
