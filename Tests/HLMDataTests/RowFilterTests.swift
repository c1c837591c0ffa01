import HLMData
import HLMTestSupport
import Testing

@Suite("Row filter (--where)")
struct RowFilterTests {
    private func count(_ expression: String, in frame: DataFrame) throws -> Int {
        try RowFilter.parse(expression).evaluate(on: frame, expression: expression).filter { $0 }.count
    }

    @Test func slidesFilterKeeps4057Students() throws {
        let frame = try Fixtures.frame("gcse")
        #expect(try count("nstu > 4", in: frame) == 4057)
        #expect(frame.filter(try RowFilter.parse("nstu > 4").evaluate(on: frame, expression: "nstu > 4")).rowCount == 4057)
    }

    @Test func labelsCodesAndLogic() throws {
        let frame = try Fixtures.frame("gcse")
        #expect(try count("schgend == \"boys\"", in: frame) == 513)
        #expect(try count("schgend == 2", in: frame) == 513)
        #expect(try count("schgend != 'boys'", in: frame) == 4059 - 513)
        #expect(try count("!(schgend == \"boys\") && girl == 1", in: frame)
            == (try count("schgend != \"boys\" && girl >= 1", in: frame)))
        #expect(try count("girl == 1 || girl == 0", in: frame) == 4059)
        #expect(try count("school == 1", in: frame) == 73)
    }

    @Test func missingValuesFailComparisons() throws {
        let frame = try CSVReader().read(string: "x\n1\nNA\n3\n")
        #expect(try count("x > 0", in: frame) == 2)
        #expect(try count("!(x > 0)", in: frame) == 1)
    }

    @Test func errorsNameThePosition() throws {
        let frame = try Fixtures.frame("gcse")
        #expect(throws: DataError.badExpression(expression: "nstu >> 4", offset: 6, message: "expected a number or a quoted label")) {
            try RowFilter.parse("nstu >> 4")
        }
        #expect(throws: DataError.badExpression(expression: "nstu 4", offset: 5,
                                                message: "expected a comparison (< <= > >= == !=) after \"nstu\"")) {
            try RowFilter.parse("nstu 4")
        }
        do {
            _ = try RowFilter.parse("nstuu > 4").evaluate(on: frame, expression: "nstuu > 4")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("did you mean \"nstu\""))
        }
        #expect(throws: DataError.self) { try RowFilter.parse("schgend == \"coed\"").evaluate(on: frame, expression: "") }
        #expect(throws: DataError.self) { try RowFilter.parse("(nstu > 4") }
        #expect(throws: DataError.self) { try RowFilter.parse("") }
    }
}

/// Stata's `if` operators and deep nesting in `--where`.
@Suite("Row filter: Stata spellings and depth")
struct RowFilterStataTests {
    static let frame = try! CSVReader().read(string: "a,b\n1,1\n2,0\n3,1\n4,0\n")

    static func rows(_ expression: String) throws -> [Bool] {
        try RowFilter.parse(expression).evaluate(on: frame, expression: expression)
    }

    @Test func stataOperators() throws {
        #expect(try Self.rows("a > 1 & b == 1") == Self.rows("a > 1 && b == 1"))
        #expect(try Self.rows("a == 1 | b == 0") == Self.rows("a == 1 || b == 0"))
        #expect(try Self.rows("a ~= 2") == Self.rows("a != 2"))
        #expect(try Self.rows("!(a > 2)") == Self.rows("~(a > 2)"))
        #expect(try Self.rows("a > 1 & b == 1") == [false, false, true, false])
    }

    @Test func deepNestingIsRefusedNotRecursed() throws {
        let deep = String(repeating: "(", count: 20_000) + "a > 1" + String(repeating: ")", count: 20_000)
        #expect(throws: DataError.self) { try RowFilter.parse(deep) }
        // A long run of negations is counted, not recursed into: an even number cancels.
        #expect(try Self.rows(String(repeating: "!", count: 30_000) + "(a > 1)") == Self.rows("a > 1"))
        #expect(try Self.rows(String(repeating: "!", count: 30_001) + "(a > 1)") == Self.rows("a <= 1"))
        let shallow = String(repeating: "(", count: 150) + "a > 1" + String(repeating: ")", count: 150)
        #expect(try Self.rows(shallow) == Self.rows("a > 1"))
    }
}
