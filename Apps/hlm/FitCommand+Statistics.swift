import ArgumentParser
import Foundation
import HLMData
import HLMReport
import HLMEstimation
import HLMFormula

extension FitCommand {
    /// A fit from sufficient statistics: a statistics file (`hlm fit ALL.stats FORMULA`) or the data
    /// read with --streaming. What needs the rows is refused in one line.
    func runFromStatistics(clock: inout StageClock) throws {
        let fromFile = data.dataPath.hasSuffix(".stats") && !streaming
        var needsRows: [String] = []
        if residuals != nil && (fromFile || data.dataPath == "-") { needsRows.append("--residuals (a second pass reads the data file again: not standard input)") }
        if df != nil { needsRows.append("--df") }
        if ci != .wald { needsRows.append("--ci \(ci.rawValue)") }
        if model.robust { needsRows.append("--robust") }
        if model.weights != nil { needsRows.append("--weights") }
        if model.optimizer != .bobyqa { needsRows.append("--optimizer \(model.optimizer.rawValue)") }
        if let method = model.method, method != .ml && method != .reml { needsRows.append("--method \(method.rawValue)") }
        if let family = model.family, family != .gaussian { needsRows.append("--family \(family.rawValue)") }
        if eform || model.nagq != nil { needsRows.append(eform ? "--eform" : "--nagq") }
        if fromFile && model.where != nil { needsRows.append("--where (filter when making the statistics: hlm stats --where)") }
        if output.format == .html { needsRows.append("--format html (its figures)") }
        if !needsRows.isEmpty {
            let source = fromFile ? "a fit from a statistics file" : "--streaming"
            throw CommandFailure(message: "\(needsRows.joined(separator: ", ")) cannot be used with \(source): it keeps sums, not the rows", status: .badInput)
        }
        let text = try model.formulaText(formula)
        let parsed = try ModelFormula.parse(text, groups: model.group)
        let statistics: SufficientStatistics, filteredRows: Int
        if fromFile {
            statistics = try StatisticsInput.read(data.dataPath)
            filteredRows = 0
            var given = parsed, held = try ModelFormula.parse(statistics.formula, groups: statistics.formulaGroups)
            given.text = ""
            held.text = ""
            guard given == held else {
                throw StatisticsError(source: data.dataPath, message: "it holds the statistics of another model (\(statistics.formula)), not of \(text)")
            }
        } else {
            (statistics, filteredRows) = try StatisticsInput.compute(dataPath: data.dataPath, codebook: data.codebook, formula: text,
                                                                     groups: model.group, where: model.where, streaming: true)
        }
        clock.lap(fromFile ? "read" : "read and sum")
        let criterion = model.fitOptions.criterion(for: parsed)
        let fit: LinearMixedModel
        do {
            fit = try Progress.fitting { progress in try LinearMixedModel.fit(statistics, criterion: criterion, progress: progress) }
        } catch var error as StatisticsError where error.source.isEmpty {
            error.source = data.dataPath
            throw error
        }
        clock.lap("fit")
        try report(fit, formula: parsed, filteredRows: filteredRows, codebook: nil, clock: &clock,
                   termStructure: { throw CommandFailure(message: "--df needs the rows", status: .badInput) }, dataRows: nil)
        if let residuals { try writeResiduals(fit, formula: text, to: residuals) }
    }

    /// `--streaming --residuals`: a second pass over the data, each block's rows written as they come.
    private func writeResiduals(_ fit: LinearMixedModel, formula text: String, to path: String) throws {
        var reader = try CSVBlockReader(path: data.dataPath, codebook: try DataLoading.codebook(dataPath: data.dataPath, codebookPath: data.codebook))
        var out = try StreamedOutput(to: path)
        do {
            try StreamingResiduals.read(&reader, fit: fit, formula: text, groups: model.group, where: model.where) { dataRows, rows in
                try out.writeCSV(PredictionReport.residualsCSV(dataRows: dataRows, rows).parts())
            }
        } catch {
            out.abandon()
            throw error
        }
        try out.finish()
    }
}
