import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

/// `hlm stats DATA FORMULA --output PART.stats`: one partition's sufficient statistics.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Sum one partition's rows into sufficient statistics, for hlm merge and hlm fit ALL.stats.",
        discussion: """
            The statistics file (docs/statistics-format.md) is keyed by group and level labels, so
            partitions may hold different groups and factor levels. Linear models with one
            random-effects term; transforms that need the whole data (center, scale, poly, cwc,
            gmean) are refused.
            Example:
              hlm stats part1.csv "y ~ x1 + x2 + factor(f) + (x1 | g)" --output part1.stats
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The model, in any notation.")
    var formula: String
    @Option(name: .long, help: "The statistics file to write.")
    var output: String
    @Option(name: .long, help: "Keep the rows for which this holds.")
    var `where`: String?
    @Option(name: .long, help: "The grouping column of each level above the first (level equations).")
    var group: [String] = []
    @Flag(name: .long, help: "Read the data a block at a time, without keeping the rows.")
    var streaming = false

    func run() throws {
        let statistics = try StatisticsInput.compute(dataPath: data.dataPath, codebook: data.codebook, formula: formula,
                                                     groups: group, where: self.where, streaming: streaming).statistics
        try OutputFile.write(statistics.encoded(), to: output)
    }
}

/// `hlm merge --output ALL.stats PART.stats…`: the sum of partitions' statistics.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Add statistics files made by hlm stats (or hlm merge: merging is associative).",
        discussion: """
            Files from another model or schema, or that are not statistics files, are refused naming the file.
            Example:
              hlm merge --output all.stats part1.stats part2.stats && hlm fit all.stats "y ~ x1 + (x1 | g)"
            """)

    @Option(name: .long, help: "The statistics file to write.")
    var output: String
    @Argument(help: "Statistics files to add.")
    var parts: [String]

    func validate() throws {
        if parts.isEmpty { throw ValidationError("give at least one statistics file to merge") }
    }

    func run() throws {
        var sum = StatisticsAccumulator()
        for path in parts { try sum.add(StatisticsInput.read(path), source: path) }
        try OutputFile.write(sum.result()!.encoded(), to: output)
    }
}

/// Statistics from a data file (in memory or streamed) or a statistics file, with a progress line on
/// a terminal while streaming.
enum StatisticsInput {
    static func read(_ path: String) throws -> SufficientStatistics {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied?" : "no such file")
        }
        return try SufficientStatistics(decoding: data, source: path)
    }

    static func compute(dataPath: String, codebook: String?, formula: String, groups: [String], where filter: String?,
                        streaming: Bool) throws -> (statistics: SufficientStatistics, filteredRows: Int) {
        if !streaming {
            let (frame, _) = try DataLoading.load(dataPath: dataPath, codebookPath: codebook)
            let part = try PreparedModel.partition(formula, groups: groups, frame: frame, where: filter)
            return (SufficientStatistics(part.design, formulaGroups: groups), part.filteredRows)
        }
        let codebookPath = codebook ?? DataLoading.companionCodebook(for: dataPath)
        let book = try codebookPath.map { path throws(DataError) in try CodebookReader().read(path: path) }
        var reader = try CSVBlockReader(path: dataPath, codebook: book)
        let start = Date()
        var shown = false, last = Date.distantPast
        let terminal = isatty(STDERR_FILENO) == 1
        defer { if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
        return try StreamingStatistics.read(&reader, formula: formula, groups: groups, where: filter) { rows, bytes in
            let now = Date()
            guard terminal, now.timeIntervalSince(last) > 0.2 else { return }
            last = now
            shown = true
            let rate = Double(bytes) / 1e6 / max(now.timeIntervalSince(start), 1e-3)
            FileHandle.standardError.write(Data(String(format: "\rhlm: read %d rows, %.0f MB/s", rows, rate).utf8))
        }
    }
}
