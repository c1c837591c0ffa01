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
        let bytes: Data
        do {
            bytes = try statistics.encoded()
        } catch var error {
            error.source = output
            throw error
        }
        try OutputFile.write(bytes, to: output)
    }
}
