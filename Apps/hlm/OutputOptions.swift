import HLMData
import ArgumentParser
import Foundation
import HLMReport

extension OutputFormat: ExpressibleByArgument {}
extension VariableLabels.Style: ExpressibleByArgument {}

/// `--format` and `--output`, shared by every subcommand.
struct OutputDestination: ParsableArguments {
    @Option(name: .long, help: "text, markdown or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard [.text, .markdown, .json].contains(format) else {
            throw ValidationError("--format \(format.rawValue) is not available here (use text, markdown or json)")
        }
    }

    /// Prints `text`, or writes it to `--output` through a temporary file and a rename.
    func write(_ text: String) throws { try OutputFile.write(text, to: output) }
}

/// The options of commands that report models (`fit`, `compare`): the destination, and how tables look.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "text, markdown, latex, html (one self-contained file, with figures) or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "Significance stars on estimates (* p<.05, ** p<.01, *** p<.001).")
    var stars = false

    @Flag(name: .customLong("latex-fragment"), help: "LaTeX: the tabular alone, for \\input.")
    var latexFragment = false

    @Flag(name: .long, help: "LaTeX: a whole document that compiles on its own.")
    var standalone = false

    @Flag(name: .long, help: "Add the model's equations (level form and combined form).")
    var equations = false

    @Option(name: .long, help: "Row labels of tables: names (default: lrt, schgend: boys, with the codebook's labels in a note) or codebook (the labels).")
    var labels: VariableLabels.Style = .names

    @Option(name: .long, help: "Rename a coefficient or variable in tables: \"lrt=Reading score\" (repeatable).")
    var rename: [String] = []

    @Option(name: .long, help: "Show only these fixed effects (names or variables, comma-separated or repeated).")
    var keep: [String] = []

    @Option(name: .long, help: "Leave out these fixed effects (names or variables).")
    var drop: [String] = []

    @Option(name: .long, help: "Put these fixed effects first, in this order (names or variables).")
    var order: [String] = []

    @Flag(name: .long, help: "LaTeX: decimal-aligned number columns (siunitx's S columns; \\usepackage{siunitx}).")
    var siunitx = false

    @Option(name: .long, help: "LaTeX: the table's caption.")
    var caption: String?

    @Option(name: .customLong("label"), help: "LaTeX: the table's \\label.")
    var latexLabel: String?

    @Flag(help: ArgumentHelp("Random effects as variances and covariances (Stata's variance), or as SDs and correlations (the default).",
                             discussion: ""))
    var display: RandomEffectsDisplay?

    enum RandomEffectsDisplay: String, EnumerableFlag {
        case variances, sds
    }

    /// --variances (true), --sds (false), or nil when neither is given.
    var variances: Bool? { display.map { $0 == .variances } }

    /// How the report looks: the flags, and the codebook's labels.
    func renderOptions(codebook: Codebook?) -> RenderOptions {
        var options = RenderOptions(stars: stars, latexMode: latexMode, equations: equations,
                                    labels: VariableLabels(codebook: codebook, style: labels, renames: renames),
                                    layout: TableLayout(keep: Self.list(keep), drop: Self.list(drop), order: Self.list(order), caption: caption, label: latexLabel))
        options.siunitx = siunitx
        return options
    }

    /// `--rename old=new` pairs (validated in `validate`).
    var renames: [String: String] {
        var result: [String: String] = [:]
        for pair in rename {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equals]).trimmingCharacters(in: .whitespaces)] = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// Repeated or comma-separated names.
    static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    /// The LaTeX mode the flags ask for.
    var latexMode: LaTeXRenderer.Mode {
        latexFragment ? .fragment : (standalone ? .standalone : .table)
    }

    func validate() throws {
        if latexFragment && standalone { throw ValidationError("--latex-fragment and --standalone exclude each other") }
        for pair in rename {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex, pair.index(after: equals) != pair.endIndex else {
                throw ValidationError("--rename takes old=new, e.g. --rename \"lrt=Reading score\" (got \"\(pair)\")")
            }
        }
    }

    func write(_ text: String) throws { try OutputFile.write(text, to: output) }
}

/// Writing a report: standard output, or a file replaced in one step.
enum OutputFile {
    /// Prints `text`, or writes it to `output` through a temporary file and a rename, so that a
    /// failure never leaves a partial file.
    static func write(_ text: String, to output: String?) throws {
        try write(Data(text.utf8), to: output)
    }

    /// The same for bytes.
    static func write(_ bytes: [UInt8], to output: String?) throws {
        try write(parts: [bytes], to: output)
    }

    static func write(_ data: Data, to output: String?) throws {
        try write(parts: [Array(data)], to: output)
    }

    /// Writes the parts one after another, without joining them first (large outputs).
    static func write(parts: [[UInt8]], to output: String?) throws {
        try write(to: output) { sink in parts.allSatisfy { $0.withUnsafeBytes(sink) } }
    }

    /// A table of numbers with 15 significant digits, formatted a block at a time as it is written.
    static func write(_ table: NumericCSV.Table, to output: String?) throws {
        try write(to: output) { sink in table.write(to: sink) }
    }

    /// A frame's CSV, formatted a block at a time as it is written.
    static func write(_ csv: CSVOutput, to output: String?) throws {
        try write(to: output) { sink in csv.write(to: sink) }
    }

    /// Writes what `produce` hands its sink, in order (`produce` returns false when the sink did).
    static func write(to output: String?, _ produce: ((UnsafeRawBufferPointer) -> Bool) -> Bool) throws {
        func writeAll(_ descriptor: Int32) -> Bool {
            produce { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
        }
        guard let output else {
            _ = writeAll(STDOUT_FILENO)
            return
        }
        let target = URL(fileURLWithPath: output)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission) }
            let ok = writeAll(descriptor)
            close(descriptor)
            guard ok else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(message: "\(output): cannot write (\(error.localizedDescription))", status: .badInput)
        }
        // rename(2) replaces the target in one step: readers see the old file or the new one, never a part.
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(message: "\(output): cannot write (\(reason))", status: .badInput)
        }
    }
}
