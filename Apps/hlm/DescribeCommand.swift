import ArgumentParser
import HLMData
import HLMReport

/// `hlm describe DATA`: every column with its kind, label, counts and a summary.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "List the columns of a data file: kind, label, counts, and a summary.",
        discussion: """
            Examples:
              hlm describe Examples/data/gcse.csv
              hlm describe survey.csv --codebook survey-ddi.xml --format markdown
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputDestination

    func run() throws {
        let (frame, codebook) = try data.load()
        let description = DataDescription(frame, title: codebook?.title)
        try output.write(try ReportRendering.render(description, as: output.format))
        data.printWarnings(frame)
    }
}
