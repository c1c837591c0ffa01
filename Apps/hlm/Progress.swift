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

    /// "hlm: bootstrap 120/1000" on a terminal while `body` counts up to `total` (from any thread).
    static func counting<T>(_ total: Int, label: String, _ body: ((@Sendable (Int) -> Void)?) throws -> T) throws -> T {
        guard isatty(STDERR_FILENO) == 1 else { return try body(nil) }
        let state = CounterLine(total: total, label: label)
        let result = try body { done in state.show(done) }
        state.clear()
        return result
    }
}

/// The line `counting` draws, at most five times a second.
private final class CounterLine: @unchecked Sendable {
    let total: Int, label: String
    private let lock = NSLock()
    private var last = Date.distantPast, shown = false

    init(total: Int, label: String) { self.total = total; self.label = label }

    func show(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.2 || done == total else { return }
        last = now
        shown = true
        FileHandle.standardError.write(Data("\rhlm: \(label) \(done)/\(total)".utf8))
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
