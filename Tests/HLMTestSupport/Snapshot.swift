import Foundation

/// Compares rendered reports with stored snapshot files: the text must match word for word (runs of
/// white space count as one) and every number must match within a tolerance, never as printed digits.
/// Set HLM_RECORD_SNAPSHOTS=1 to write the current output as the new snapshot. The default tolerance,
/// 1e-4 relative, is for layout regressions: derived figures (a variance SE from a numerical Hessian)
/// move in their fifth digit with the summation order of another BLAS; estimates are pinned tighter
/// by the reference tests.
public enum Snapshot {
    public static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/HLMReportTests/Snapshots")

    /// nil when `actual` matches the snapshot `name`, else a description of the first difference.
    /// A snapshot written by hand from another implementation's numbers is not `recordable`.
    public static func mismatch(
        _ actual: String, named name: String, relative: Double = 1e-4, absolute: Double = 1e-6, recordable: Bool = true
    ) -> String? {
        let url = directory.appendingPathComponent(name)
        if recordable && ProcessInfo.processInfo.environment["HLM_RECORD_SNAPSHOTS"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "no snapshot \(name) (record it with HLM_RECORD_SNAPSHOTS=1)"
        }
        return compare(actual, expected, relative: relative, absolute: absolute)
    }

    /// Token-by-token comparison with numeric tolerance.
    public static func compare(_ actual: String, _ expected: String, relative: Double, absolute: Double) -> String? {
        let a = tokens(actual), e = tokens(expected)
        for (index, (x, y)) in zip(a, e).enumerated() {
            switch (x, y) {
            case (.number(let u, _), .number(let v, _)):
                if !Tolerance.isClose(u, v, relative: relative, absolute: absolute) {
                    return "token \(index): number \(u) where the snapshot has \(v)" + context(a, index)
                }
            case (.word(let u), .word(let v)) where u == v || (Self.isRule(u) && Self.isRule(v)):
                continue
            default:
                return "token \(index): \(x) where the snapshot has \(y)" + context(a, index)
            }
        }
        return a.count == e.count ? nil : "\(a.count) tokens where the snapshot has \(e.count)"
    }

    /// A table rule (a run of dashes) matches another of any length: its length follows the numbers' widths.
    static func isRule(_ word: String) -> Bool {
        word.count >= 3 && word.allSatisfy { $0 == "-" }
    }

    enum Token: CustomStringConvertible {
        case word(String)
        case number(Double, String)

        var description: String {
            switch self {
            case .word(let w): "\"\(w)\""
            case .number(_, let text): text
            }
        }
    }

    /// Words and numbers; a number may start with a sign or a point (`-.1078`, `$-$0.108` gives `0.108`).
    static func tokens(_ text: String) -> [Token] {
        var result: [Token] = []
        var word = ""
        let characters = Array(text)
        var i = 0
        func flush() {
            if !word.isEmpty { result.append(.word(word)); word = "" }
        }
        while i < characters.count {
            let c = characters[i]
            let startsNumber = c.isNumber || ((c == "-" || c == ".") && i + 1 < characters.count
                && (characters[i + 1].isNumber || (characters[i + 1] == "." && i + 2 < characters.count && characters[i + 2].isNumber)))
            if startsNumber && (word.isEmpty || !(word.last!.isLetter || word.last! == "_")) {
                flush()
                var j = i + 1
                while j < characters.count, characters[j].isNumber || characters[j] == "." { j += 1 }
                if j + 1 < characters.count, characters[j] == "e" || characters[j] == "E",
                   characters[j + 1].isNumber || characters[j + 1] == "-" || characters[j + 1] == "+" {
                    j += 2
                    while j < characters.count, characters[j].isNumber { j += 1 }
                }
                let literal = String(characters[i..<j])
                if let value = Double(literal.hasPrefix("-.") ? "-0" + literal.dropFirst() : (literal.hasPrefix(".") ? "0" + literal : literal)) {
                    result.append(.number(value, literal))
                } else {
                    result.append(.word(literal))
                }
                i = j
                continue
            }
            if c.isWhitespace {
                flush()
            } else {
                word.append(c)
            }
            i += 1
        }
        flush()
        return result
    }

    private static func context(_ tokens: [Token], _ index: Int) -> String {
        " (near: " + tokens[max(0, index - 4)..<min(tokens.count, index + 3)].map(\.description).joined(separator: " ") + ")"
    }
}
