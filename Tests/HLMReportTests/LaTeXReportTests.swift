import Foundation
import HLMReport
import HLMTestSupport
import Testing

/// LaTeX for papers: compiles with pdflatex with no error and no overfull box.
@Suite("LaTeX report")
struct LaTeXReportTests {
    /// pdflatex is required in CI (its set-up installs it); elsewhere the compile tests run when it is present.
    static let pdflatex: String? = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["CI"] != nil

    static let pdftotext: String? = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The compiled document's text as laid out on the page (pdftotext -layout), or nil without the tools.
    static func pageText(_ tex: String) throws -> String? {
        guard let pdflatex, let pdftotext else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-latex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try tex.write(to: directory.appendingPathComponent("table.tex"), atomically: true, encoding: .utf8)
        for (tool, arguments) in [(pdflatex, ["-interaction=nonstopmode", "table.tex"]), (pdftotext, ["-layout", "table.pdf", "table.txt"])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        return try? String(contentsOf: directory.appendingPathComponent("table.txt"), encoding: .utf8)
    }

    /// Compiles a standalone document; returns the log's errors and overfull boxes.
    static func compile(_ tex: String) throws -> [String] {
        guard let pdflatex else { return required ? ["pdflatex is not installed"] : [] }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-latex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try tex.write(to: directory.appendingPathComponent("table.tex"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdflatex)
        process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "table.tex"]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let log = (try? String(contentsOf: directory.appendingPathComponent("table.log"), encoding: .isoLatin1)) ?? ""
        var problems = log.split(separator: "\n").filter { $0.hasPrefix("!") || $0.contains("Overfull") || $0.contains("Float too large") }.map(String.init)
        if process.terminationStatus != 0 && problems.isEmpty { problems.append("pdflatex exited with \(process.terminationStatus)") }
        return problems
    }

    @Test(.enabled(if: pdflatex != nil || required))
    func slidesComparisonCompilesAndShowsTheirNumbers() throws {
        let report = try ReportFixtures.comparison()
        let tex = LaTeXRenderer(mode: .standalone).render(report.document(labels: try ReportFixtures.labels(), equations: true))
        #expect(try Self.compile(tex) == [])
        for number in ["0.563", "0.557", "0.571", "$-$14018.586", "$-$13998.439", "$-$13992.549"] {
            #expect(tex.contains(number), "\(number)")
        }
        #expect(tex.contains("\\toprule") && tex.contains("\\begin{threeparttable}") && tex.contains("\\begin{tablenotes}"))
    }

    @Test(.enabled(if: pdflatex != nil || required))
    func singleFitWithStarsCompiles() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt * schgend + (lrt | school)")
        let tex = LaTeXRenderer(mode: .standalone, stars: true).render(FitReport(fit).tableDocument(labels: try ReportFixtures.labels(), equations: true))
        #expect(try Self.compile(tex) == [])
        #expect(tex.contains("$^{***}$"))
    }

    /// The slides' three models fit the page in both label styles (issue 18: they overflowed by 125pt),
    /// and with codebook labels each SE sits in its estimate's cell, right under it.
    @Test(.enabled(if: pdflatex != nil || required), arguments: [VariableLabels.Style.names, .codebook])
    func slidesComparisonFitsThePage(_ style: VariableLabels.Style) throws {
        let report = try ReportFixtures.comparison()
        var labels = try ReportFixtures.labels()
        labels.style = style
        let tex = LaTeXRenderer(mode: .standalone).render(report.document(labels: labels))
        #expect(try Self.compile(tex) == [])
        // On the page: each SE on the line right under its estimate (pdftotext -layout).
        if let page = try Self.pageText(tex) {
            let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (estimate, error) in [("0.563", "(0.012)"), ("0.855", "(1.086)"), ("3.042", "(0.307)")] {
                let at = try #require(lines.firstIndex { $0.contains(estimate) }, "\(estimate) on the page")
                #expect(at + 1 < lines.count && lines[at + 1].contains(error), "\(style): \(error) is not on the line under \(estimate)")
            }
        } else if Self.required {
            Issue.record("pdftotext is not installed")
        }
        if style == .names {
            #expect(tex.contains("\nlrt & 0.563") && tex.contains("schgend: boys"))
            #expect(tex.contains("Variables: gcse: Graduate Certificate"))
        } else {
            #expect(tex.contains("\\begin{tabular}[t]{@{}c@{}}0.563\\\\(0.012)\\end{tabular}"))
        }
    }

    /// --rename, --keep, --drop and --order; caption and label; a wide table turns sideways.
    @Test func rowsRenamedKeptDroppedAndOrdered() throws {
        let report = try ReportFixtures.comparison()
        var labels = try ReportFixtures.labels()
        labels.style = .names
        labels.renames = ["lrt": "Reading score", "_cons": "Constant"]
        let layout = TableLayout(drop: ["schgend"], order: ["lrt", "_cons"], caption: "GCSE", label: "tab:gcse")
        let tex = LaTeXRenderer(mode: .table).render(report.document(labels: labels, layout: layout))
        #expect(!tex.contains("schgend: boys"))
        let reading = try #require(tex.range(of: "\nReading score & 0.563")), constant = try #require(tex.range(of: "\nConstant & 0.032"))
        #expect(reading.lowerBound < constant.lowerBound)
        #expect(tex.contains("\\caption{GCSE}") && tex.contains("\\label{tab:gcse}"))
        #expect(TableLayout(keep: ["lrt"]).arrange(["(Intercept)", "lrt", "schgend[boys]", "lrt:schgend[boys]"]) == ["lrt", "lrt:schgend[boys]"])
        #expect(TableLayout(order: ["schgend"]).arrange(["(Intercept)", "lrt", "schgend[boys]"]) == ["schgend[boys]", "(Intercept)", "lrt"])
        let wide = ComparisonReport(models: Array(repeating: report.models[0], count: 7), tests: [], refittedWithML: false)
        #expect(LaTeXRenderer(mode: .table).render(wide.document()).contains("\\begin{sidewaystable}"))
    }

    /// --variances: variances and covariances in the table, lme4's VarCorr vcov for the slides' model 2
    /// (Examples/data/reference-fits.json: 9.08104475, 0.01453038, the covariance 0.18064719, σ² 55.38459).
    @Test func variancesInTheTable() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let table = RegressionTable(reports: [FitReport(fit, variances: true)])
        let rows = table.sections[1].rows
        let value = { (label: String) in rows.first { $0.label == label }?.cells[0].value ?? .nan }
        #expect(abs(value("Var Intercept | school") - 9.08104475290012) < 1e-3 * 9.08)
        #expect(abs(value("Var lrt | school") - 0.0145303768451123) < 1e-3 * 0.0145)
        #expect(abs(value("Cov(Intercept, lrt) | school") - 0.180647186832938) < 1e-3 * 0.18)
        #expect(abs(value("Var Residual") - 55.384591340094) < 1e-3 * 55.4)
        #expect(!rows.contains { $0.label.hasPrefix("SD ") || $0.label.hasPrefix("Corr") })
    }

    static let siunitx = FileManager.default.fileExists(atPath: "/usr/share/texlive/texmf-dist/tex/latex/siunitx/siunitx.sty")

    /// --siunitx: S columns, numbers plain for siunitx to align, text and SEs braced; compiles where siunitx is.
    @Test func siunitxColumns() throws {
        let report = try ReportFixtures.comparison()
        var labels = try ReportFixtures.labels()
        labels.style = .names
        let tex = LaTeXRenderer(mode: .standalone, stars: true, siunitx: true).render(report.document(labels: labels))
        #expect(tex.contains("\\usepackage{siunitx}") && tex.contains("*{3}{S[table-format=-5.3, table-space-text-post={$^{***}$}]}"))
        #expect(tex.contains("{(0.012)}") && tex.contains("-0.998"))
        if Self.siunitx && (Self.pdflatex != nil || Self.required) {
            #expect(try Self.compile(tex) == [])
        }
    }

    @Test func fragmentIsTheTabularAlone() throws {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (1 | school)")
        let tex = LaTeXRenderer(mode: .fragment).render(FitReport(fit).tableDocument())
        #expect(tex.hasPrefix("\\begin{tabular}"))
        #expect(!tex.contains("\\begin{table}"))
        #expect(!tex.contains("\\documentclass"))
        let problem = Snapshot.mismatch(tex, named: "slides-model1-fragment.tex")
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test func escapesSpecialCharacters() {
        #expect(LaTeXRenderer.escape("a_b % & # $ { } ~ ^ \\") == "a\\_b \\% \\& \\# \\$ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}")
    }

    @Test func trueMinusSign() {
        let renderer = LaTeXRenderer()
        #expect(renderer.number(-0.1078) == "$-$0.108")
        #expect(renderer.number(-0.0001) == "0.000")
    }
}
