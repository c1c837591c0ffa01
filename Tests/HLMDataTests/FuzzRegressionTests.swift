import Foundation
import HLMData
import HLMTestSupport
import Testing

/// Inputs the fuzzers (Tools/fuzz/run.sh) found to break an invariant, kept as regression tests: each
/// must read to the same frame, or fail with the same one-line error, sequentially and in chunks.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/HLMDataTests/FuzzRegressions")

    static var csvInputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("csv-") }.sorted()
    }

    @Test("CSV: chunked reading agrees with sequential reading", arguments: csvInputs)
    func csvChunkedAgrees(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        let sequential = Result { () throws(DataError) -> DataFrame in
            try CSVReader(maxFieldBytes: 4096, parallelThreshold: .max).read(data: data, source: "fuzz.csv")
        }
        for chunks in [2, 3, 5] {
            let chunked = Result { () throws(DataError) -> DataFrame in
                try CSVReader(maxFieldBytes: 4096, parallelThreshold: 0, parallelism: chunks).read(data: data, source: "fuzz.csv")
            }
            switch (sequential, chunked) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(chunks) chunks")
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(chunks) chunks")
                #expect(!a.description.contains("\n"), "one line")
            default: Issue.record("\(chunks) chunks: \(sequential) vs \(chunked)")
            }
        }
    }
}
