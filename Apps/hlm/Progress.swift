import Foundation
import HLMEstimation

/// A progress line on standard error for fits that take longer than a second, only when standard
/// error is a terminal (never in pipes, files or CI logs).
enum Progress {
    static func fitting<T>(_ body: (((Int, Double) -> Void)?) throws -> T) throws -> T {
        guard isatty(STDERR_FILENO) == 1 else { return try body(nil) }
        let start = Date()
        var shown = false
        var last = Date.distantPast
        let result = try body { evaluations, objective in
            let now = Date()
            guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(last) > 0.2 else { return }
            last = now
            shown = true
            let line = String(format: "\rhlm: fitting... %d evaluations, criterion %.6f", evaluations, objective)
            FileHandle.standardError.write(Data(line.utf8))
        }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return result
    }
}
