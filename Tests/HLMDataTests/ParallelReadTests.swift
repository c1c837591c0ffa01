import HLMData
import HLMTestSupport
import Testing

/// Chunked parallel reading gives exactly what one sequential pass gives.
@Suite("Parallel CSV reading")
struct ParallelReadTests {
    private func both(_ csv: String, chunks: Int = 7) throws -> (DataFrame, DataFrame) {
        let sequential = try CSVReader(parallelThreshold: .max).read(string: csv)
        let parallel = try CSVReader(parallelThreshold: 0, parallelism: chunks).read(string: csv)
        return (sequential, parallel)
    }

    @Test func bundledDataReadsTheSameInChunks() throws {
        let text = try String(contentsOfFile: Fixtures.path("gcse.csv"), encoding: .utf8)
        let (a, b) = try both(text)
        #expect(a == b)
        #expect(b.rowCount == 4059)
    }

    @Test func aColumnTurnsToTextInALaterChunk() throws {
        var csv = "id,v,w\n"
        for i in 0..<500 { csv += "\(i),\(i),\(i == 3 ? "early" : String(i))\n" }
        csv += "500,late,500\n"
        let (a, b) = try both(csv)
        #expect(a == b)
        guard case .text(let v) = b.columns[1].values, case .text(let w) = b.columns[2].values else {
            Issue.record("v and w should be text")
            return
        }
        #expect(v.values[499] == "499" && v.values[500] == "late")
        #expect(w.values[3] == "early" && w.values[400] == "400")
    }

    @Test func quotedNewlinesNearChunkBoundaries() throws {
        var csv = "a,b\n"
        for i in 0..<300 { csv += "\(i),\"line one\nline two, with comma \"\"\(i)\"\"\"\n" }
        for chunks in [2, 3, 5, 16] {
            let (a, b) = try both(csv, chunks: chunks)
            #expect(a == b, "\(chunks) chunks")
            #expect(b.rowCount == 300)
        }
    }

    /// A quote inside an unquoted field is a literal to the scanner but flips the parity the chunk
    /// boundaries are found by (regression: found by the CSV fuzzer).
    @Test func strayQuotesInUnquotedFields() throws {
        var csv = "id,height,note\n"
        for i in 0..<400 { csv += "\(i),5'\(i % 12)\",\(i % 7 == 0 ? "\"quoted, with comma\"" : "plain")\n" }
        for chunks in [2, 3, 7] {
            let (a, b) = try both(csv, chunks: chunks)
            #expect(a == b, "\(chunks) chunks")
            #expect(b.rowCount == 400)
        }
    }

    @Test func errorsInALaterChunkKeepTheirLine() throws {
        var csv = "a,b\n"
        for i in 0..<400 { csv += "\(i),\(i)\n" }
        csv += "1,2,3\n"
        #expect(throws: DataError.malformed(InputLocation(file: "<string>", line: 402, column: 5),
                                            message: "this row has 3 fields but the header has 2",
                                            hint: "check for an unquoted comma or a missing field")) {
            try CSVReader(parallelThreshold: 0, parallelism: 4).read(string: csv)
        }
    }
}

import Foundation
