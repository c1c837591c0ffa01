import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMReport

extension PredictionScope: ExpressibleByArgument {}
extension PredictionInterval: ExpressibleByArgument {}

/// `hlm predict (DATA FORMULA | --model M.json) --newdata NEW.csv`: predictions for new rows.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predictions for new data, conditional on the random effects or marginal, with intervals.",
        discussion: """
            Levels the fit has not seen get zero random effects (lme4's allow.new.levels).
            Examples:
              hlm predict Examples/data/sleepstudy.csv \\
                "Reaction ~ Days + (Days | Subject)" --newdata new.csv
              hlm predict --model fit.json --newdata new.csv --interval prediction
            """)

    @OptionGroup var source: ModelSource
    @Option(name: .long, help: "A CSV file of the rows to predict.")
    var newdata: String
    @Option(name: .customLong("re-form"), help: "all (with the random effects, default) or none (the fixed part).")
    var reForm: PredictionScope = .all
    @Option(name: .long, help: "none (default), confidence (of the fixed part) or prediction (of a new observation).")
    var interval: PredictionInterval = .none
    @Option(name: .long, help: "csv (default) or json.")
    var format: PredictFormat = .csv
    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let saved = try source.load()
        let (frame, _) = try DataLoading.load(dataPath: newdata)
        let level = source.options.level.map { $0 / 100 } ?? 0.95
        let predictions = try saved.predictionModel().predict(frame, scope: reForm, interval: interval, level: level)
        if format == .json {
            let report = PredictionReport(reForm: reForm.rawValue, interval: interval.rawValue, level: level, predictions: predictions)
            try OutputFile.write(try JSONRendering.render(report), to: output)
        } else {
            try OutputFile.write(PredictionReport.csv(frame, predictions, interval: interval != .none), to: output)
        }
    }
}

enum PredictFormat: String, ExpressibleByArgument {
    case csv, json
}
