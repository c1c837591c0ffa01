// Times CSVReader on one file: best of several reads, in MB/s. Used by Tools/bench-csv.sh.
import Foundation
import HLMData

let arguments = CommandLine.arguments
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
