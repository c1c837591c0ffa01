// Times CSVReader on one file: best of several reads, in MB/s. Used by Tools/bench-csv.sh.
// `hlm-bench-csv --write ROWS` times the residuals file's writer instead: ROWS x 5 numbers with 15
// significant digits (row numbers and four columns of N(0, 1) draws), formatted and discarded.
import Foundation
import HLMData

let arguments = CommandLine.arguments
if arguments.count >= 3, arguments[1] == "--write", let rows = Int(arguments[2]) {
    var generator = SystemRandomNumberGenerator()
    let columns = [(0..<rows).map { Double($0 + 1) }] + (0..<4).map { _ in
        (0..<rows).map { _ in
            let u = Double.random(in: Double.ulpOfOne..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
            return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
        }
    }
    let table = NumericCSV.Table(header: ["row", "a", "b", "c", "d"], columns: columns)
    var best = Double.infinity, bytes = 0
    for _ in 0..<5 {
        bytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        _ = table.write { bytes += $0.count; return true }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    print(String(format: "hlm   wrote %d rows x 5 numbers (%.1f MB) in %.3f s: %.1f ns a number (best of 5, discarded)",
                 rows, Double(bytes) / 1e6, best, best * 1e9 / Double(rows * 5)))
    exit(0)
}
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: hlm-bench-csv FILE [REPEATS] [CHUNKS]\n".utf8))
    exit(2)
}
let path = arguments[1]
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let reader = arguments.count > 3 ? CSVReader(parallelism: Int(arguments[3]) ?? 1) : CSVReader()
let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
var best = Double.infinity
var rows = 0
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    let frame = try reader.read(data: bytes, source: path)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    rows = frame.rowCount
    best = min(best, seconds)
}
let megabytes = Double(bytes.count) / 1e6
print(String(format: "hlm   read %.1f MB, %d rows in %.3f s: %.0f MB/s (best of %d, file already in memory)",
             megabytes, rows, best, megabytes / best, repeats))
