import Foundation

/// `--timing`: wall-clock time of each stage and the peak resident memory, on standard error.
struct StageClock {
    let enabled: Bool
    private var last = DispatchTime.now().uptimeNanoseconds
    private var laps: [(String, Double)] = []

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func lap(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        laps.append((name, Double(now - last) / 1e9))
        last = now
    }

    func finish() {
        guard enabled else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let stages = laps.map { String(format: "%@ %.3f s", $0.0, $0.1) }.joined(separator: ", ")
        let total = laps.reduce(0) { $0 + $1.1 }
        let line = String(format: "hlm timing: %@; total %.3f s; peak memory %.1f MB\n", stages, total, Double(usage.ru_maxrss) / 1024)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
