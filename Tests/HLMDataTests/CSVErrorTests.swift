import Foundation
import HLMData
import Testing

/// Every malformed input ends in one DataError naming file, line and column, never a crash.
@Suite("CSV errors")
struct CSVErrorTests {
    private func error(_ csv: String, codebook: Codebook? = nil) -> DataError? {
        error(Data(csv.utf8), codebook: codebook)
    }

    private func error(_ data: Data, codebook: Codebook? = nil) -> DataError? {
        do {
            _ = try CSVReader(codebook: codebook).read(data: data, source: "bad.csv")
            return nil
        } catch {
            return error
        }
    }

    private func expectError(
        _ error: DataError?, line: Int, column: Int?, containing text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        guard case .malformed(let location, let message, _) = error else {
            Issue.record("expected a malformed-input error, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(location.file == "bad.csv", sourceLocation: sourceLocation)
        #expect(location.line == line, sourceLocation: sourceLocation)
        #expect(location.column == column, sourceLocation: sourceLocation)
        #expect(message.contains(text), "\(message)", sourceLocation: sourceLocation)
        #expect(!error!.description.contains("\n"), "one line", sourceLocation: sourceLocation)
    }

    @Test func unbalancedQuote() {
        expectError(error("a,b\n1,\"open\n2,3\n"), line: 2, column: 3, containing: "never closed")
    }

    @Test func characterAfterClosingQuote() {
        expectError(error("a,b\n1,\"x\"y\n"), line: 2, column: 6, containing: "after a closing quote")
    }

    @Test func raggedRows() {
        expectError(error("a,b\n1,2\n3,4,5\n"), line: 3, column: 5, containing: "3 fields but the header has 2")
        expectError(error("a,b\n1,2\n3\n"), line: 3, column: 2, containing: "1 fields but the header has 2")
    }

    @Test func nulByte() {
        expectError(error("a,b\n1,2\n3,\u{0}\n"), line: 3, column: 3, containing: "NUL byte")
    }

    @Test func utf16() {
        expectError(error(Data([0xFF, 0xFE, 0x61, 0x00])), line: 1, column: 1, containing: "UTF-16")
    }

    @Test func invalidUTF8() {
        var data = Data("name\nok\nb".utf8)
        data.append(contentsOf: [0xC3, 0x28])
        data.append(contentsOf: Array("\n".utf8))
        expectError(error(data), line: 3, column: 2, containing: "invalid UTF-8")
        expectError(error(Data([0x61, 0x0A, 0xED, 0xA0, 0x80, 0x0A])), line: 2, column: 1, containing: "invalid UTF-8")
    }

    @Test func emptyFile() {
        expectError(error(""), line: 1, column: 1, containing: "empty")
        expectError(error("\n\n"), line: 1, column: 1, containing: "empty")
    }

    @Test func headerOnly() {
        expectError(error("a,b\n"), line: 2, column: 1, containing: "no data rows")
    }

    @Test func duplicateAndEmptyColumnNames() {
        expectError(error("a,b,a\n1,2,3\n"), line: 1, column: 5, containing: "duplicate column name \"a\"")
        expectError(error("a,,c\n1,2,3\n"), line: 1, column: 3, containing: "empty column name")
    }

    @Test func hugeField() {
        let huge = String(repeating: "x", count: 2_000_000)
        expectError(error("a\n\(huge)\n"), line: 2, column: 1, containing: "longer than")
    }

    @Test func nonNumberInDeclaredNumericColumn() {
        let codebook = Codebook(variables: [CodebookVariable(name: "lrt", formatType: .numeric)])
        expectError(error("id,lrt\n1,2.5\n2,n/a\n", codebook: codebook), line: 3, column: 3,
                    containing: "expected a number in column \"lrt\", found \"n/a\"")
    }

    @Test func missingFileIsCannotRead() {
        #expect(throws: DataError.cannotRead(file: "/nonexistent/x.csv", reason: "no such file")) {
            try CSVReader().read(path: "/nonexistent/x.csv")
        }
    }
}

/// Messages quote input text with control characters escaped, so that they stay on one line
/// (regression: found by the CSV fuzzer, a duplicate column name holding a newline).
@Suite("One-line messages")
struct OneLineMessageTests {
    @Test func newlinesInQuotedNamesAreEscaped() {
        do {
            _ = try CSVReader().read(string: "\"a\nb\",\"a\nb\"\n1,2\n", source: "x.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "x.csv:2:5: duplicate column name \"a\\nb\" in the header (column names must be unique)")
        }
    }
}
