import Foundation
import HLMData
import HLMEstimation
import HLMFormula

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
        var reader = try CSVBlockReader(path: dataPath, codebook: try DataLoading.codebook(dataPath: dataPath, codebookPath: codebook))
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
