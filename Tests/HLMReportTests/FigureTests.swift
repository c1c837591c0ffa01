import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HLMEstimation
import HLMReport
import HLMTestSupport
import Testing

/// `hlm plot`'s figures: what each kind draws (from the fit's own numbers: modes, conditional SDs,
/// residuals), valid SVG, and TikZ that compiles.
@Suite("Figures")
struct FigureTests {
    @Test func caterpillarIsEachGroupsModeWithItsInterval() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let figure = try Figure.make(.caterpillar, fit: fit)
        #expect(figure.panels.count == 2)
        let table = try fit.randomEffects()[0]
        let panel = figure.panels[0]
        #expect(panel.points.count == 64 && panel.intervals.count == 64 && panel.yCategories.count == 64)
        // Sorted by the mode; each interval mode ± 1.96 condSD of that level.
        #expect(zip(panel.points, panel.points.dropFirst()).allSatisfy { $0.x <= $1.x })
        let lowest = try #require(table.levels.min { $0.mode[0] < $1.mode[0] })
        #expect(panel.yCategories[0] == lowest.level)
        #expect(abs(panel.intervals[0].high - (lowest.mode[0] + 1.959963984540054 * lowest.condSD[0])) < 1e-9)
    }

    @Test func residualsQQAndShrinkage() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let residuals = try Figure.make(.residuals, fit: fit)
        #expect(residuals.panels[0].points.count == 4057)
        let qq = try Figure.make(.qq, fit: fit)
        #expect(qq.panels.count == 3)
        let sample = qq.panels[0].points.map(\.y)
        #expect(sample == sample.sorted())
        let shrinkage = try Figure.make(.shrinkage, fit: fit)
        // Each arrow ends at the group's EB estimate, nearer the mean than its OLS start (on average).
        let arrows = shrinkage.panels[0].arrows
        #expect(arrows.count == 64)
        let meanX = arrows.map(\.to.x).reduce(0, +) / 64
        let olsSpread = arrows.map { abs($0.from.x - meanX) }.reduce(0, +), ebSpread = arrows.map { abs($0.to.x - meanX) }.reduce(0, +)
        #expect(ebSpread < olsSpread)
        #expect(throws: EstimationError.self) {
            try Figure.make(.shrinkage, fit: try ReportFixtures.fit("diameter ~ 1 + (1 | plate) + (1 | sample)", dataset: "penicillin", criterion: .reml))
        }
    }

    /// Every kind on the GCSE data: valid SVG with one mark per school where a mark is a school (caterpillar:
    /// per term; shrinkage; lines: one line each), and TikZ that compiles.
    @Test(arguments: Figure.Kind.allCases)
    func svgIsValidXMLAndTikZCompiles(_ kind: Figure.Kind) throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let figure = try Figure.make(kind, fit: fit, labels: try ReportFixtures.labels())
        let svg = SVGRenderer().render(figure)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(kind): \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let circles = svg.components(separatedBy: "<circle").count - 1
        switch kind {
        case .caterpillar: #expect(circles == 2 * 64)
        case .shrinkage: #expect(circles == 64)
        case .lines: #expect(figure.panels[0].segments.count == 64 && circles == 4057)
        case .residuals: #expect(circles == 4057)
        case .qq: #expect(circles == 4057 + 2 * 64)
        }
        let tikz = TikZRenderer().render(figure)
        let document = "\\documentclass{article}\n\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.16}\n\\begin{document}\n" + tikz + "\\end{document}\n"
        if LaTeXReportTests.pdflatex != nil || LaTeXReportTests.required {
            let problems = try LaTeXReportTests.compile(document).filter { !$0.contains("Overfull") && !$0.contains("Float too large") }
            #expect(problems == [], "\(kind)")
        }
    }
}
