// libFuzzer target: arbitrary text as `--rename old=new` pairs (one per line), `--keep`/`--order` names
// and a caption, applied to the report of the slides' model 3 in every format. Every input must give a
// report in each format: never a crash or a hang, whatever the names hold (TeX, HTML or Markdown syntax).
import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMReport

let (frame, codebook) = try! DataLoading.load(dataPath: "Examples/data/gcse.csv", codebookPath: "Examples/data/gcse.xml")
let report: FitReport = {
    let design = try! ModelFormula.parse("gcse ~ lrt * schgend + (lrt | school)").design(for: frame)
    return FitReport(try! LinearMixedModel.fit(design, criterion: .reml))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRename(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    var renames: [String: String] = [:]
    var names: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let equals = line.firstIndex(of: "=") {
            renames[String(line[..<equals]).trimmingCharacters(in: .whitespaces)] = String(line[line.index(after: equals)...])
        } else {
            names.append(String(line))
        }
    }
    for style in [VariableLabels.Style.names, .codebook] {
        var options = RenderOptions(labels: VariableLabels(codebook: codebook, style: style, renames: renames),
                                    layout: TableLayout(keep: [], drop: names.prefix(2).map { $0 }, order: names, caption: names.first, label: names.last))
        options.siunitx = names.count % 2 == 0
        for format in OutputFormat.allCases {
            let rendered = try? ReportRendering.render(report, as: format, options: options)
            precondition(rendered.map { !$0.isEmpty } ?? true)
        }
    }
    return 0
}
