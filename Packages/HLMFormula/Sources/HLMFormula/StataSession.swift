/// A Stata session pasted as it stands: `. ` prompts, `///` continuations, `> ` continuation lines,
/// `xtset` lines and comments, lowered to one command (and the panel variable `xtset` named).
struct StataSession {
    /// The model command, on one line.
    var command: String
    /// The panel variable of a preceding `xtset g` (used by `xtreg` without `i()`).
    var panel: String?

    /// Whether the text looks like a pasted session rather than a bare command.
    static func looksPasted(_ text: String) -> Bool {
        text.contains("///") || text.split(whereSeparator: \.isNewline).contains { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            return t.hasPrefix(". ") || t == "." || t.hasPrefix("> ")
        }
    }

    init(_ text: String) {
        var commands: [String] = []
        var current = ""
        var continuing = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = Substring(rawLine)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("> ") || line == ">" {
                // Stata's own continuation line: part of the command above.
                line = line.dropFirst()
                continuing = true
            } else if line.hasPrefix(". ") || line == "." {
                line = line.dropFirst()
                if !continuing && !current.isEmpty { commands.append(current); current = "" }
            } else if !continuing && !current.isEmpty {
                commands.append(current)
                current = ""
            }
            if line.drop(while: { $0 == " " }).hasPrefix("*") && current.isEmpty { continue }
            var body = String(line)
            if let comment = body.range(of: "//", options: []), !body[comment.lowerBound...].hasPrefix("///") {
                body = String(body[..<comment.lowerBound])
            }
            if let join = body.range(of: "///") {
                body = String(body[..<join.lowerBound])
                continuing = true
            } else {
                continuing = false
            }
            current += (current.isEmpty ? "" : " ") + body.trimmingCharacters(in: .whitespaces)
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { commands.append(current) }
        var panel: String?
        var model: [String] = []
        for command in commands.map({ $0.trimmingCharacters(in: .whitespaces) }) where !command.isEmpty {
            let words = command.split(separator: " ")
            if words.first == "xtset", words.count >= 2 {
                panel = String(words[1]).trimmingCharacters(in: CharacterSet(charactersIn: ","))
            } else if let first = words.first, ["use", "sysuse", "webuse", "set", "describe", "summarize", "estat", "predict"].contains(first) {
                continue
            } else {
                model.append(command)
            }
        }
        self.command = model.last ?? ""
        self.panel = panel
    }
}

import Foundation
