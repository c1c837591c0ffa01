import HLMReport
import HLMTestSupport
import Testing

@Suite("Markdown report")
struct MarkdownReportTests {
    /// Cells in a pipe-table row, not counting escaped pipes.
    static func cellCount(_ line: String) -> Int {
        var count = 0, escaped = false
        for c in line {
            if c == "|" && !escaped { count += 1 }
            escaped = c == "\\" && !escaped
        }
        return count - 1
    }

    @Test func everyRowOfTheComparisonHasTheSameNumberOfCells() throws {
        let markdown = MarkdownRenderer().render(try ReportFixtures.comparison().document())
        let rows = markdown.split(separator: "\n").map(String.init).filter { $0.hasPrefix("|") }
        #expect(rows.count > 20)
        #expect(Set(rows.map(Self.cellCount)) == [4])
        let problem = Snapshot.mismatch(markdown, named: "compare-slides.md")
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test func pipesAndStarsAreEscaped() {
        let document = Document([.table(Table(header: ["a|b", "c*d"], rows: [["x_y", "1"]]))])
        let markdown = MarkdownRenderer().render(document)
        #expect(markdown.contains("a\\|b"))
        #expect(markdown.contains("c\\*d"))
        #expect(markdown.contains("x\\_y"))
        #expect(markdown.split(separator: "\n").allSatisfy { Self.cellCount(String($0)) == 2 })
    }

    @Test func fitReportSnapshot() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt * schgend + (lrt | school)")
        let problem = Snapshot.mismatch(MarkdownRenderer().render(FitReport(fit).document), named: "slides-model3.md")
        #expect(problem == nil, "\(problem ?? "")")
    }
}
