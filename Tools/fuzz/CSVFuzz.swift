// libFuzzer target: arbitrary bytes as a CSV file. Every input must end in a frame or a DataError,
// and the parallel chunked reader, and the reader without the plain-record fast path, must agree with
// the sequential one (differential checks).
import Foundation
@testable import HLMData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let sequential = Result { () throws(DataError) -> DataFrame in
        try CSVReader(maxFieldBytes: 4096, parallelThreshold: .max).read(data: data, source: "fuzz.csv")
    }
    let parallel = Result { () throws(DataError) -> DataFrame in
        try CSVReader(maxFieldBytes: 4096, parallelThreshold: 0, parallelism: 3).read(data: data, source: "fuzz.csv")
    }
    let general = Result { () throws(DataError) -> DataFrame in
        var reader = CSVReader(maxFieldBytes: 4096, parallelThreshold: .max)
        reader.usesPlainRecordPath = false
        return try reader.read(data: data, source: "fuzz.csv")
    }
    switch (sequential, general) {
    case (.success(let a), .success(let b)): precondition(a == b, "the fast path and the general scanner read differently")
    case (.failure(let a), .failure(let b)): precondition(a == b, "the fast path and the general scanner fail differently: \(a) / \(b)")
    default: preconditionFailure("the fast path and the general scanner disagree: \(sequential) / \(general)")
    }
    switch (sequential, parallel) {
    case (.success(let a), .success(let b)):
        precondition(a == b, "parallel and sequential reads differ")
        _ = DataDescription(a)
        _ = CSVWriter().write(a)
    case (.failure(let a), .failure(let b)):
        precondition(a == b, "parallel and sequential reads fail differently: \(a) / \(b)")
        precondition(!a.description.contains("\n"), "an error message spans lines")
    default:
        preconditionFailure("one read failed and the other did not: \(sequential) / \(parallel)")
    }
    return 0
}
