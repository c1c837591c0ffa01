import ArgumentParser
import Foundation
import HLMEstimation

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
        let bytes: Data
        do {
            bytes = try sum.result()!.encoded()
        } catch var error {
            error.source = output
            throw error
        }
        try OutputFile.write(bytes, to: output)
    }
}
