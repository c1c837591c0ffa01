import ArgumentParser
import Foundation
import HLMData

/// The data file and its codebook, shared by every subcommand.
struct DataOptions: ParsableArguments {
    @Argument(help: "A CSV file with a header row; - reads standard input.")
    var dataPath: String

    @Option(name: .long, help: "A DDI Codebook 2.5 XML file (default: DATA.xml beside DATA.csv, when present).")
    var codebook: String?

    /// Reads the codebook and the data.
    func load() throws -> (DataFrame, Codebook?) {
        try DataLoading.load(dataPath: dataPath, codebookPath: codebook)
    }

    /// Warnings from reading go to standard error, never to the report's stream.
    func printWarnings(_ frame: DataFrame) {
        for warning in frame.warnings {
            FileHandle.standardError.write(Data("hlm: warning: \(warning)\n".utf8))
        }
    }
}
