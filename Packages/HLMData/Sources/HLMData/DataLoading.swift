import Foundation

/// Reads a data file with its codebook: the one named, or `DATA.xml` beside `DATA.csv` when present.
public enum DataLoading {
    /// The codebook path to use for `dataPath` when none is given, if such a file exists.
    public static func companionCodebook(for dataPath: String) -> String? {
        guard dataPath != "-" else { return nil }
        let url = URL(fileURLWithPath: dataPath)
        let candidate = url.deletingPathExtension().appendingPathExtension("xml").path
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// Reads the codebook (if any) and then the data.
    public static func load(dataPath: String, codebookPath: String? = nil) throws(DataError) -> (DataFrame, Codebook?) {
        let codebook = try codebook(dataPath: dataPath, codebookPath: codebookPath)
        let frame = try CSVReader(codebook: codebook).read(path: dataPath)
        return (frame, codebook)
    }

    /// The codebook for `dataPath`: the one named, or `DATA.xml` beside it when present, or none.
    public static func codebook(dataPath: String, codebookPath: String? = nil) throws(DataError) -> Codebook? {
        let path = codebookPath ?? companionCodebook(for: dataPath)
        return try path.map { path throws(DataError) in try CodebookReader().read(path: path) }
    }
}
