import ArgumentParser
import Foundation
import HLMEstimation
import HLMReport

/// `hlm ranef (DATA FORMULA | --model M.json)`: every group's conditional modes and conditional SDs.
struct RanefCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranef",
        abstract: "Each group's random effects (conditional modes) with their conditional SDs, for every term.",
        discussion: """
            As lme4's ranef(m, condVar = TRUE) and Stata's predict, reffects reses.
            Examples:
              hlm ranef Examples/data/penicillin.csv \\
                "diameter ~ 1 + (1 | plate) + (1 | sample)" --format csv
              hlm ranef --model fit.json --format json
            """)

    @OptionGroup var source: ModelSource
    @Option(name: .long, help: "text, csv or json.")
    var format: RanefFormat = .text
    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let tables = try source.generalizedTables() ?? source.load().randomEffectsTables
        try OutputFile.write(try RandomEffectsRendering.render(tables, as: format.report), to: output)
    }
}

enum RanefFormat: String, ExpressibleByArgument {
    case text, csv, json
    var report: RandomEffectsRendering.Format { RandomEffectsRendering.Format(rawValue: rawValue)! }
}
