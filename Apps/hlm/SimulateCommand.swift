import ArgumentParser
import Foundation
import HLMData
import HLMEstimation

/// `hlm simulate`: data from a known model, with a seed (for benchmarks and examples).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write data simulated from a known model as CSV.",
        discussion: """
            Designs:
              slope    y ~ x + (x | g): random intercept and slope, --groups J
              crossed  y ~ x + (1 | f1) + (1 | f2) + ...: crossed intercepts,
                       --levels 2972,1128,14
              nested   y ~ x + (1 | district/school): three levels,
                       --levels 100,5000
              wide     y ~ x1 + x2 + factor(f) + (x1 | g), numeric ids: written
                       a block at a time (any --rows in little memory)
            Example:
              hlm simulate slope --rows 1000000 --groups 10000 --seed 1 \\
                --output big.csv
            """)

    enum Design: String, ExpressibleByArgument {
        case slope, crossed, nested, wide
    }

    @Argument(help: "slope, crossed, nested or wide.")
    var design: Design
    @Option(name: .long, help: "Number of rows.")
    var rows: Int = 100_000
    @Option(name: .long, help: "Number of groups (slope).")
    var groups: Int = 1_000
    @Option(name: .long, parsing: .unconditional, help: "Levels of each factor, comma separated (crossed, nested).")
    var levels: String = "2972,1128,14"
    @Option(name: .long, help: "Seed of the random numbers.")
    var seed: UInt64 = 20261122
    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard rows > 0, groups > 0, groups <= rows else { throw ValidationError("need rows > 0 and 0 < groups <= rows") }
        guard design == .slope || design == .wide || levelCounts.allSatisfy({ $0 > 0 && $0 <= rows }) else { throw ValidationError("--levels: positive counts no larger than --rows") }
        if design == .nested && levelCounts.count != 2 { throw ValidationError("nested needs --levels TOP,INNER") }
    }

    var levelCounts: [Int] { levels.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        if design == .wide {
            try writeBlocks()
            return
        }
        let frame: DataFrame
        switch design {
        case .slope: frame = Simulation.randomSlope(rows: rows, groups: groups, seed: seed)
        case .crossed: frame = Simulation.crossed(rows: rows, levels: levelCounts, seed: seed)
        case .nested: frame = Simulation.nested(rows: rows, groups: levelCounts, seed: seed)
        case .wide: return
        }
        var options = OutputOptions()
        options.output = output
        try options.write(CSVWriter().write(frame))
    }

    /// `wide`: each block written as it is made, numbers with 15 significant digits.
    private func writeBlocks() throws {
        var out = try StreamedOutput(to: output)
        do {
            try Simulation.wide(rows: rows, groups: groups, seed: seed) { columns in
                try out.writeCSV(NumericCSV.parts(header: Simulation.wideColumns, columns: columns, significantDigits: 15))
            }
        } catch {
            out.abandon()
            throw error
        }
        try out.finish()
    }
}
