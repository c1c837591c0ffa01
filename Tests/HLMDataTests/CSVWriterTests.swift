import Foundation
import HLMData
import HLMTestSupport
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("a dataset written and read back is the same", arguments: Fixtures.datasets)
    func roundTrip(name: String) throws {
        let original = try Fixtures.frame(name)
        let text = CSVWriter().write(original)
        let reread = try CSVReader().read(string: text)
        #expect(reread.columnNames == original.columnNames)
        #expect(reread.rowCount == original.rowCount)
        for column in original.columns {
            let other = try #require(reread.column(named: column.name))
            switch (column.values, other.values) {
            case (.numeric(let a), .numeric(let b)):
                #expect(a == b, "\(column.name)")
            case (.categorical(let a), .text(let b)):
                // Without the codebook the labels come back as text.
                #expect(a.codes.map { $0 < 0 ? nil : a.levels[Int($0)] } == b.values, "\(column.name)")
            case (.text(let a), .text(let b)):
                #expect(a == b, "\(column.name)")
            case (.text(let a), .numeric(let b)):
                // Identifiers declared character in the codebook read back as numbers without it.
                #expect(a.values.map { $0.flatMap(Double.init) } == b.values.map { Optional($0) }, "\(column.name)")
            default:
                Issue.record("\(column.name): \(column.kind) came back as \(other.kind)")
            }
        }
    }

    /// The block writer's numbers are byte for byte Swift's shortest form (its fast path takes the
    /// 15-digit form when that reads back exactly): numbers with few digits, as data has, and full ones.
    @Test func shortestFormAsSwiftWritesIt() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 0.0001, 0.00012, 1e-5, 1.5e-5, 99999999999999.9, 12345678901234.5, 1e15, 123.25]
        for _ in 0..<TestLevel.count(20_000, thorough: 1_000_000) {
            let magnitude = Double.random(in: -8...17, using: &generator)
            let full = (Bool.random(using: &generator) ? 1 : -1) * Foundation.pow(10, magnitude)
            let digits = Double(Int.random(in: 1...15, using: &generator))
            let scale = Foundation.pow(10, (digits - magnitude.rounded(.down)).rounded())
            values.append(full)
            values.append((full * scale).rounded() / scale)   // few significant digits
        }
        let frame = DataFrame(columns: [Column(name: "x", values: .numeric(NumericColumn(values: values, isMissing: values.map { _ in false })))])
        let lines = String(decoding: CSVWriter().bytes(frame), as: UTF8.self).split(separator: "\n").dropFirst()
        #expect(lines.count == values.count)
        for (value, line) in zip(values, lines) {
            let expected = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : value.description
            #expect(String(line) == expected, "\(value)")
        }
    }

    @Test func quotesWhatNeedsQuoting() throws {
        let frame = DataFrame(columns: [
            Column(name: "a,b", values: .text(TextColumn(values: ["x\"y", nil, "NA", " pad", "line\nbreak"]))),
            Column(name: "n", values: .numeric(NumericColumn(values: [1, .nan, 0.1, -.infinity, 1e300],
                                                             isMissing: [false, true, false, false, false]))),
        ])
        let reread = try CSVReader().read(string: CSVWriter().write(frame))
        #expect(reread.columnNames == ["a,b", "n"])
        guard case .text(let a) = reread.columns[0].values, case .numeric(let n) = reread.columns[1].values else {
            Issue.record("kinds changed")
            return
        }
        #expect(a.values == ["x\"y", nil, "NA", " pad", "line\nbreak"])
        #expect(n.isMissing == [false, true, false, false, false])
        #expect(n.values[2] == 0.1 && n.values[3] == -.infinity && n.values[4] == 1e300)
    }
}

/// `NumericCSV` with 15 significant digits (the residuals file): between 1e-5 and 1e15 in magnitude the
/// same digits as C's `%.15g` (its exact decimal rounding); outside, the shortest form that reads back
/// exactly. Random numbers of every size.
@Suite("Numeric CSV, 15 digits")
struct NumericCSVTests {
    @Test func fifteenDigitsAsPrintf() throws {
        var generator = SystemRandomNumberGenerator()
        // Also the edges: just below 1e15 (rounds up to 1e15 at 15 digits), at 1e-5, ties, whole numbers.
        var values: [Double] = [0, 1, -1, 0.5, 123456789012345, 1e-5, 9.99999999999999e14, 0.1, -2.5e-3,
                                999999999999999.9, -999999999999999.9, 99999999999999.99, 1e15, 9.9999999999999999e-6,
                                1.0000000000000001e-5, 0.125, 2.5, 1e14 + 0.5, 4503599627370495.5, 1234567, -98765432109876]
        for _ in 0..<TestLevel.count(20_000, thorough: 1_000_000) {
            let magnitude = Double.random(in: -8...17, using: &generator)
            values.append((Bool.random(using: &generator) ? 1 : -1) * Foundation.pow(10, magnitude))
        }
        let text = String(decoding: NumericCSV.bytes(header: ["x"], columns: [values], significantDigits: 15), as: UTF8.self)
        let written = text.split(separator: "\n").dropFirst().map { Double(String($0))! }
        #expect(written.count == values.count)
        for (value, read) in zip(values, written) {
            if abs(value) >= 1e-5 && abs(value) < 1e15 {
                #expect(read == Double(String(format: "%.15g", value))!, "\(value): \(read) against \(String(format: "%.15g", value))")
            } else {
                #expect(read == value, "\(value): \(read)")
            }
        }
    }
}

/// The block writer's rounds: chunks handed over in row order across many rounds (more rows than one
/// round's 16 chunks of 4,096), and a sink that refuses stops the writing.
@Suite("CSV block writer")
struct BlockWriterTests {
    @Test func manyRoundsInOrder() throws {
        let rows = 150_001
        let table = NumericCSV.Table(header: ["row", "half"], columns: [(0..<rows).map { Double($0 + 1) }, (0..<rows).map { Double($0) + 0.5 }])
        var bytes: [UInt8] = [], calls = 0
        #expect(table.write { bytes += $0; calls += 1; return true })
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == rows + 1 && calls > 2 * 16)
        #expect(lines.first == "row,half")
        for (k, line) in lines.dropFirst().enumerated() where line != "\(k + 1),\(k).5" {
            Issue.record("line \(k + 2): \(line)")
            break
        }
        // The same rows through the frame writer, with a text column between.
        let frame = DataFrame(columns: [
            Column(name: "n", values: .numeric(NumericColumn(values: (0..<rows).map { Double($0) }, isMissing: (0..<rows).map { $0 % 1000 == 7 }))),
            Column(name: "t", values: .text(TextColumn(values: (0..<rows).map { $0 % 3 == 0 ? "a,b" : "c" }))),
        ])
        let text = String(decoding: CSVWriter().bytes(frame), as: UTF8.self).split(separator: "\n")
        #expect(text.count == rows + 1)
        for (k, line) in text.dropFirst().enumerated() {
            let expected = (k % 1000 == 7 ? "NA" : "\(k)") + "," + (k % 3 == 0 ? "\"a,b\"" : "c")
            if line != expected { Issue.record("line \(k + 2): \(line), expected \(expected)"); break }
        }
    }

    @Test func aRefusingSinkStops() {
        let table = NumericCSV.Table(header: ["x"], columns: [(0..<100_000).map(Double.init)])
        var calls = 0
        #expect(!table.write { _ in calls += 1; return calls < 3 })
        #expect(calls == 3)
    }
}
