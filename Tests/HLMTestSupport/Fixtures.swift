import Foundation
import HLMData

/// The bundled datasets (Examples/data, copied from the project's shared data) and helpers to read them.
public enum Fixtures {
    /// The repository's root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder holding the example datasets and their codebooks.
    public static let dataDirectory = repositoryRoot.appendingPathComponent("Examples/data")

    /// The path of a bundled file, e.g. `path("gcse.csv")`.
    public static func path(_ name: String) -> String {
        dataDirectory.appendingPathComponent(name).path
    }

    /// The datasets, by name without extension.
    public static let datasets = ["gcse", "sleepstudy", "dyestuff", "pastes", "penicillin"]

    /// Reads a bundled dataset with its codebook.
    public static func frame(_ dataset: String) throws -> DataFrame {
        try DataLoading.load(dataPath: path("\(dataset).csv")).0
    }
}
