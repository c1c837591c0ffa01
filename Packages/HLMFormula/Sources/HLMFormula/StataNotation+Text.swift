/// Reading Stata's command text: `||` parts, words, the top-level comma, `if` operators.
extension StataNotation {
    /// Splits on a separator outside parentheses and quotes, keeping each part's offset.
    static func split(_ text: String, on separator: String) -> [(text: String, offset: Int)] {
        let characters = Array(text), separator = Array(separator)
        var parts: [(String, Int)] = []
        var depth = 0, start = 0, i = 0
        var quote: Character?
        while i < characters.count {
            let c = characters[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if depth == 0, i + separator.count <= characters.count, Array(characters[i..<(i + separator.count)]) == separator {
                parts.append((String(characters[start..<i]), start))
                i += separator.count
                start = i
                continue
            }
            i += 1
        }
        parts.append((String(characters[start...]), start))
        return parts
    }

    static func topLevelIndex(of character: Character, in text: String) -> String.Index? {
        var depth = 0
        var quote: Character?
        for index in text.indices {
            let c = text[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if c == character, depth == 0 {
                return index
            }
        }
        return nil
    }

    /// Whitespace-separated words (a group's `school:` stays one word), with offsets.
    static func words(_ text: String, offset: Int) -> [Word] {
        var result: [Word] = []
        var current = "", start = 0, depth = 0
        for (i, c) in text.enumerated() {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c.isWhitespace && depth == 0 {
                if !current.isEmpty { result.append(Word(text: current, offset: offset + start)) }
                current = ""
            } else {
                if current.isEmpty { start = i }
                current.append(c)
            }
        }
        if !current.isEmpty { result.append(Word(text: current, offset: offset + start)) }
        return result
    }

    /// Stata's `if` operators in `--where` syntax: `&` → `&&`, `|` → `||`, `~=` → `!=` (the row filter
    /// reads these itself too; this keeps the formula's filter in one spelling).
    static func whereSyntax(_ expression: String) -> String {
        var result = ""
        let characters = Array(expression)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            let next = i + 1 < characters.count ? characters[i + 1] : nil
            if (c == "&" || c == "|") && next != c {
                result += String(c) + String(c)
            } else if (c == "&" || c == "|") && next == c {
                result += String(c) + String(c)
                i += 1
            } else if c == "~" && next == "=" {
                result += "!="
                i += 1
            } else {
                result.append(c)
            }
            i += 1
        }
        return result
    }
}
