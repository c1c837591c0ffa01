import Foundation
import HLMEstimation
import HLMReport
import HLMTestSupport
import Testing

/// `--format html`: one self-contained file (no network: figures inline as data URIs), whose tags are
/// balanced and which xmllint's HTML parser reads without a complaint when it is installed.
@Suite("HTML report")
struct HTMLReportTests {
    static let xmllint: String? = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func html() throws -> String {
        let fit = try ReportFixtures.fit("gcse ~ lrt + (lrt | school)")
        let figure = SVGRenderer().render(try Figure.make(.caterpillar, fit: fit))
        return HTMLRenderer(figures: [("Conditional modes", figure)]).render(FitReport(fit).document(labels: try ReportFixtures.labels()))
    }

    @Test func selfContainedWithTheTablesAndFigures() throws {
        let html = try Self.html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("href="))
        #expect(html.contains("<td class=\"number\">0.556797</td>"))  // lrt, as the text report prints it
        #expect(html.contains("<img src=\"data:image/svg+xml;base64,"))
        #expect(html.contains("<pre>Level 1: gcse = b0 + b1*lrt + r"))
    }

    @Test(.enabled(if: xmllint != nil))
    func xmllintFindsNothing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hlm-\(UUID().uuidString).html")
        try Self.html().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.xmllint!)
        process.arguments = ["--html", "--noout", file.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.isEmpty, "\(output.prefix(400))")
        #expect(process.terminationStatus == 0)
    }
}
