import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

/// Where `predict` and `ranef` get their model: DATA FORMULA (fitted now) or --model FILE (saved).
struct ModelSource: ParsableArguments {
    @Argument(help: "A CSV file to fit FORMULA to (or use --model).")
    var dataPath: String?
    @Argument(help: "The model, in any notation.")
    var formula: String?
    @Option(name: .long, help: "A model saved by hlm fit --save, instead of DATA FORMULA.")
    var model: String?
    @OptionGroup var options: ModelOptions

    func validate() throws {
        if model != nil && (dataPath != nil || formula != nil) { throw ValidationError("give DATA FORMULA or --model FILE, not both") }
        if model == nil && (dataPath == nil || formula == nil) { throw ValidationError("give DATA FORMULA, or --model FILE") }
    }

    /// The saved model, or the fit of FORMULA to DATA turned into one.
    /// For a binomial or Poisson model given as DATA FORMULA: its random-effects tables (saved models are linear).
    func generalizedTables() throws -> [RandomEffectsTable]? {
        guard model == nil, let dataPath, let formula else { return nil }
        let (frame, _) = try DataLoading.load(dataPath: dataPath)
        let prepared = try options.prepare(formula: formula, frame: frame)
        guard options.isGeneralized(prepared) else { return nil }
        return try options.fitGeneralized(prepared).randomEffects()
    }

    func load() throws -> SavedModel {
        if let model { return try SavedModel.read(model) }
        let (frame, _) = try DataLoading.load(dataPath: dataPath!)
        let prepared = try options.prepare(formula: formula!, frame: frame)
        ProcessRestart.restartWithBetterKernelsIfWorthIt(worth: BLASKernels.worthRestarting(prepared.design), dataPath: dataPath)
        return try SavedModel(options.fit(prepared), groups: options.group)
    }
}


