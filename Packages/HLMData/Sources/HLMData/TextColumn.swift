/// Text, dictionary-encoded: each row holds a code into `strings` (-1 is missing). Repeated values
/// (identifiers, labels) are stored once, and turning the column into a factor is integer work.
public struct TextColumn: Sendable {
    /// Per row, the index into ``strings``, or -1 for a missing value.
    public private(set) var codes: [Int32]
    /// The distinct values, in order of first appearance (some may be unused after a subset).
    public private(set) var strings: [String]

    public init(codes: [Int32], strings: [String]) {
        precondition(codes.allSatisfy { $0 < Int32(strings.count) }, "text code out of range")
        self.codes = codes
        self.strings = strings
    }

    public init(values: [String?]) {
        var index: [String: Int32] = [:]
        var strings: [String] = []
        codes = values.map { value in
            guard let value else { return -1 }
            if let code = index[value] { return code }
            let code = Int32(strings.count)
            index[value] = code
            strings.append(value)
            return code
        }
        self.strings = strings
    }

    public var count: Int { codes.count }

    /// The value at `row`, nil when missing.
    public subscript(row: Int) -> String? {
        let code = codes[row]
        return code < 0 ? nil : strings[Int(code)]
    }

    /// Every value (allocates; for small columns and tests).
    public var values: [String?] { codes.map { $0 < 0 ? nil : strings[Int($0)] } }

    /// The rows at `rows`, sharing the dictionary.
    public func subset(_ rows: [Int]) -> TextColumn {
        TextColumn(codes: rows.map { codes[$0] }, strings: strings)
    }

    /// How many distinct values occur.
    public var distinctCount: Int {
        var used = [Bool](repeating: false, count: strings.count)
        for code in codes where code >= 0 { used[Int(code)] = true }
        return used.filter { $0 }.count
    }
}

extension TextColumn: Equatable {
    /// Equal when every row holds the same value, whatever the dictionaries' order.
    public static func == (a: TextColumn, b: TextColumn) -> Bool {
        guard a.codes.count == b.codes.count else { return false }
        for row in a.codes.indices where a[row] != b[row] { return false }
        return true
    }
}
