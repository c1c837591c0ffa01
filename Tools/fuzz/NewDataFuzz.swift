// libFuzzer target: arbitrary bytes as the new data of `hlm predict` for a model fitted to the bundled
// gcse data (with a factor, an interaction and a random slope). Every input must give one prediction
// per row or one error line naming the row and column: never a crash or a hang.
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

let model: PredictionModel = {
    let frame = try! DataLoading.load(dataPath: "Examples/data/gcse.csv").0
    let design = try! ModelFormula.parse("gcse ~ lrt * schgend + (lrt | school)").design(for: frame)
    return try! PredictionModel(try! LinearMixedModel.fit(design, criterion: .reml))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNewData(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let frame: DataFrame
    do {
        frame = try CSVReader(maxFieldBytes: 4096, parallelThreshold: .max).read(data: Data(bytes: start, count: count), source: "new.csv")
    } catch {
        return 0
    }
    for scope in [PredictionScope.all, .none] {
        do {
            let predictions = try model.predict(frame, scope: scope, interval: .confidence)
            precondition(predictions.count == frame.rowCount)
        } catch {
            let text = "\(error)"
            precondition(!text.isEmpty && !text.contains("Fatal"))
        }
    }
    return 0
}
