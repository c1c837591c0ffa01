import Foundation
@testable import HLMData
import HLMTestSupport
import Testing

/// The fast path for plain records reads exactly what the general scanner reads, and leaves every
/// other record (and every error) to it.
@Suite("Plain-record fast path")
struct PlainRecordPathTests {
    /// The same input read with the fast path and without, in one pass and in chunks.
    static func readings(_ data: Data) -> [Result<DataFrame, DataError>] {
        var results: [Result<DataFrame, DataError>] = []
        for usesPlainRecordPath in [true, false] {
            for parallelThreshold in [Int.max, 0] {
                var reader = CSVReader(maxFieldBytes: 4096, parallelThreshold: parallelThreshold, parallelism: 3)
                reader.usesPlainRecordPath = usesPlainRecordPath
                results.append(Result { () throws(DataError) -> DataFrame in try reader.read(data: data, source: "test.csv") })
            }
        }
        return results
    }

    static func expectAllAgree(_ data: Data, _ label: String) {
        let results = readings(data)
        for other in results.dropFirst() {
            switch (results[0], other) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(label)")
            case (.failure(let a), .failure(let b)): #expect(a == b, "\(label)")
            default: Issue.record("\(label): one reading failed and another did not: \(results[0]) / \(other)")
            }
        }
    }

    static let cases: [(String, String)] = [
        ("numbers of every shape", "a,b\n1,2\n-1.5,+2e3\n.5,5.\n1e-7,12345678901234567890\n0.1234567890123456789,3\n"),
        ("digits in runs of eight and more", "a\n12345678\n123456789\n1.23456789012345678\n-0.00000000001\n"),
        ("empty fields and missing spellings", "a,b,c\n,,\n1,NA,.\nNaN,-inf,inf\n"),
        ("padding and quotes", "a,b\n 1,2\n\"3\",4\n5 ,\"x\"\"y\"\n"),
        ("a column turns to text late", "a,b\n1,2\n3,4\nx,5\n6,7\n"),
        ("CRLF, lone CR, blank lines, no final newline", "a,b\r\n1,2\r\n\r\n3,4\r5,6"),
        ("a trailing comma at the end", "a,b,c\n1,2,"),
        ("ragged rows", "a,b\n1,2\n3\n4,5\n"),
        ("too many fields", "a,b\n1,2,3\n"),
        ("an exponent without digits", "a\n1e\n2\n"),
        ("text with quotes inside", "g,x\nab\"c,1\ndef,2\n"),
        ("unicode text", "g,x\nzürich,1\n東京,2\n"),
    ]

    @Test("tricky inputs", arguments: cases.indices)
    func trickyInputs(_ index: Int) {
        let (label, csv) = Self.cases[index]
        Self.expectAllAgree(Data(csv.utf8), label)
    }

    @Test func bundledDatasets() throws {
        for name in ["gcse.csv", "sleepstudy.csv", "dyestuff.csv", "pastes.csv", "penicillin.csv"] {
            Self.expectAllAgree(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))), name)
        }
    }

    @Test func fuzzRegressionInputs() throws {
        for name in FuzzRegressionTests.csvInputs {
            Self.expectAllAgree(try Data(contentsOf: FuzzRegressionTests.directory.appendingPathComponent(name)), name)
        }
    }

    @Test func shortNumbersEqualSwiftsParsing() {
        // The loop-free path (up to seven digits before the point, fifteen after it), every shape of it,
        // and the shapes just past it (eight digits before, sixteen or seventeen after), which fall back.
        var generator = SystemRandomNumberGenerator()
        var csv = "x,y\n"
        var expected: [Double] = []
        for _ in 0..<TestLevel.count(20_000, thorough: 1_000_000) {
            let integer = String(Int.random(in: 0..<100_000_000, using: &generator)).prefix(Int.random(in: 1...8, using: &generator))
            let fractionDigits = Int.random(in: 0...17, using: &generator)
            let fraction = fractionDigits == 0 ? "" : String((0..<fractionDigits).map { _ in "0123456789".randomElement(using: &generator)! })
            let sign = ["", "-", "+"].randomElement(using: &generator)!
            let point = fractionDigits > 0 || Bool.random(using: &generator) ? "." : ""
            let text = sign + integer + point + fraction
            csv += "\(text),7\n"
            expected.append(Double(text)!)
        }
        Self.expectAllAgree(Data(csv.utf8), "short numbers")
        guard case .numeric(let column)? = (try? CSVReader().read(string: csv))?.column(named: "x")?.values else {
            Issue.record("x is not numeric")
            return
        }
        #expect(column.values == expected)
    }

    @Test func randomNumbersEqualSwiftsParsing() {
        var generator = SystemRandomNumberGenerator()
        var csv = "x,y\n"
        var expected: [Double] = []
        for _ in 0..<TestLevel.count(5_000, thorough: 200_000) {
            let value = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -12...12, using: &generator)))
            let text = "\(value)"
            csv += "\(text),1\n"
            expected.append(Double(text)!)
        }
        guard case .numeric(let column)? = (try? CSVReader().read(string: csv))?.column(named: "x")?.values else {
            Issue.record("x is not numeric")
            return
        }
        #expect(column.values == expected)
    }
}
