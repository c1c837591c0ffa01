import Foundation
import HLMData
import HLMTestSupport
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("every bundled dataset reads with its codebook", arguments: [
        ("gcse", 4059, 10), ("sleepstudy", 180, 3), ("dyestuff", 30, 2), ("pastes", 60, 4), ("penicillin", 144, 3),
    ])
    func bundledDatasets(name: String, rows: Int, columns: Int) throws {
        let frame = try Fixtures.frame(name)
        #expect(frame.rowCount == rows)
        #expect(frame.columns.count == columns)
        #expect(frame.warnings.isEmpty)
    }

    @Test func gcseSchoolGenderIsCategoricalWithLabels() throws {
        let frame = try Fixtures.frame("gcse")
        let column = try #require(frame.column(named: "schgend"))
        #expect(column.label == "School gender composition")
        guard case .categorical(let factor) = column.values else {
            Issue.record("schgend should be categorical, is \(column.kind)")
            return
        }
        #expect(factor.levels == ["mixed", "boys", "girls"])
        #expect(factor.levelValues == ["1", "2", "3"])
        #expect(factor.levelCounts == [2169, 513, 1377])
    }

    @Test func gcseNumericValuesAreExact() throws {
        let frame = try Fixtures.frame("gcse")
        guard case .numeric(let gcse) = try #require(frame.column(named: "gcse")).values else {
            Issue.record("gcse should be numeric")
            return
        }
        #expect(gcse.values[0] == 2.613242)
        #expect(gcse.values[2] == -17.23882)
    }

    @Test func quotingRules() throws {
        let csv = "\u{FEFF}name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\"\r\nLee,\"two\nlines\"\r\n"
        let frame = try CSVReader().read(string: csv)
        #expect(frame.columnNames == ["name", "note"])
        guard case .text(let note) = try #require(frame.column(named: "note")).values,
              case .text(let name) = try #require(frame.column(named: "name")).values else {
            Issue.record("expected text columns")
            return
        }
        #expect(name.values == ["Smith, J", "Lee"])
        #expect(note.values == ["said \"hi\"", "two\nlines"])
    }

    @Test func typeInferenceAndMissingValues() throws {
        let csv = "a,b,c\n1,x,1.5\nNA,2,.\n,3,-2e3\n4,,inf\n"
        let frame = try CSVReader().read(string: csv)
        guard case .numeric(let a) = try #require(frame.column(named: "a")).values,
              case .text(let b) = try #require(frame.column(named: "b")).values,
              case .numeric(let c) = try #require(frame.column(named: "c")).values else {
            Issue.record("wrong column kinds")
            return
        }
        #expect(a.isMissing == [false, true, true, false])
        #expect(a.values[0] == 1 && a.values[3] == 4)
        #expect(b.values == ["x", "2", "3", nil])
        #expect(c.isMissing == [false, true, false, false])
        #expect(c.values[0] == 1.5 && c.values[2] == -2000 && c.values[3] == .infinity)
    }

    @Test func aColumnThatTurnsToTextLateKeepsEveryEarlierValue() throws {
        var csv = "id,v\n"
        for i in 0..<1000 { csv += "\(i),\(i)\n" }
        csv += "1000,n/a\n"
        let frame = try CSVReader().read(string: csv)
        guard case .text(let v) = try #require(frame.column(named: "v")).values else {
            Issue.record("v should be text")
            return
        }
        #expect(v.values.count == 1001)
        #expect(v.values[999] == "999")
        #expect(v.values[1000] == "n/a")
    }

    @Test func numbersParseExactlyAsSwiftDoes() {
        var generator = SystemRandomNumberGenerator()
        let fixed = ["0", "-0.0", "1e-300", "2.2250738585072014e-308", "123456789012345678901234567890", "0.1",
                     "9007199254740993", "1.7976931348623157e308", "4.9e-324", "00012.5000", "+3.25", "1E5", ".5", "5."]
        let random = (0..<2000).map { _ in String(Double.random(in: -1e6...1e6, using: &generator)) }
        for text in fixed + random {
            guard case .number(let parsed) = NumberParser.parse(text) else {
                Issue.record("\(text) did not parse")
                continue
            }
            #expect(parsed == Double(text)!, "\(text)")
        }
        // Long mantissas (16–19 digits) and exponents around the extended-precision path's limits.
        for _ in 0..<TestLevel.count(20_000, thorough: 1_000_000) {
            let digits = Int.random(in: 1...21, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            if Bool.random(using: &generator) { text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 0...digits, using: &generator))) }
            text += "e\(Int.random(in: -40...40, using: &generator))"
            if text.hasPrefix(".e") || text.hasPrefix("e") { continue }
            guard case .number(let parsed) = NumberParser.parse(text), let expected = Double(text) else {
                Issue.record("\(text) did not parse")
                continue
            }
            #expect(parsed == expected, "\(text)")
        }
        // Halfway cases between doubles: 2^53 + 1 and neighbours must round to even.
        for text in ["9007199254740993", "9007199254740995", "9007199254740993.0000000001", "1.00000000000000011102230246251565404236316680908203125"] {
            #expect(NumberParser.parse(text) == .number(Double(text)!), "\(text)")
        }
        #expect(NumberParser.parse("0x10") == .notANumber)
        #expect(NumberParser.parse("1e") == .notANumber)
        #expect(NumberParser.parse("NaN") == .missing)
        #expect(NumberParser.parse("-Infinity") == .number(-.infinity))
        #expect(NumberParser.parse(" 7 ") == .number(7))
    }

    @Test func readsStandardInputNameInMessages() throws {
        #expect(throws: DataError.self) { try CSVReader().read(string: "", source: "<stdin>") }
    }
}
