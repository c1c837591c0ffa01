import ArgumentParser
import Foundation
import HLMReport

extension OutputFormat: ExpressibleByArgument {}

/// `--format` and `--output`, shared by every subcommand.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "text, markdown, latex or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate(allowing formats: [OutputFormat]) throws {
        guard formats.contains(format) else {
            throw ValidationError("--format \(format.rawValue) is not available here (use \(formats.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    /// Prints `text`, or writes it to `--output` through a temporary file and a rename, so that a
    /// failure never leaves a partial file.
    func write(_ text: String) throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let target = URL(fileURLWithPath: output)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            if FileManager.default.fileExists(atPath: target.path) {
                _ = try FileManager.default.replaceItemAt(target, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: target)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(message: "\(output): cannot write (\(error.localizedDescription))", status: ExitStatus.badInput)
        }
    }
}
