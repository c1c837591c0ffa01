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

    /// Real sections on GitHub: headings for the tables, the level model in a code block (its lines kept,
    /// not run together), the variables as a list.
    @Test func sectionsAndTheLevelModelInACodeBlock() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let markdown = MarkdownRenderer().render(FitReport(fit).document(labels: try ReportFixtures.labels()))
        #expect(markdown.contains("#### Fixed effects\n") && markdown.contains("#### Random effects\n"))
        #expect(markdown.contains("**Model in level notation**\n\n```\nLevel 1: gcse = b0 + b1*lrt + r\nLevel 2: b0 = "))
        #expect(markdown.contains("**Variables**\n\n- gcse: "))
        let text = TextRenderer().render(FitReport(fit).document(labels: try ReportFixtures.labels()))
        #expect(!text.contains("####") && text.contains("Model in level notation:\n  Level 1:"))
    }

    /// The table options of LaTeX apply to Markdown's fixed effects too: --drop, --order, --rename.
    @Test func tableOptionsApply() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt * schgend + (lrt | school)")
        let layout = TableLayout(drop: ["schgend"], order: ["_cons"])
        let labels = VariableLabels(style: .names, renames: ["lrt": "Reading"])
        let markdown = MarkdownRenderer().render(FitReport(fit).document(labels: labels, layout: layout))
        #expect(!markdown.contains("schgend[boys] |"))
        let constant = try #require(markdown.range(of: "| \\_cons |")), reading = try #require(markdown.range(of: "| Reading |"))
        #expect(constant.lowerBound < reading.lowerBound)
        #expect(markdown.contains("sd(Reading)") && !markdown.contains("sd(lrt)"))
    }
}
