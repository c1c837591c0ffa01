// libFuzzer target: arbitrary bytes as a saved model (`predict --model`, `ranef --model`), then used
// to predict the bundled gcse data. Every input must be refused in one line naming the file, or give
// predictions (or a one-line error for data the model cannot code): never a crash or a hang. Content
// past a broken checksum is used too, so that the checks after it are fuzzed.
import Foundation
import HLMData
@testable import HLMEstimation

let path = NSTemporaryDirectory() + "hlm-fuzz-model-\(getpid()).json"
let gcse = try! DataLoading.load(dataPath: "Examples/data/gcse.csv").0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FileManager.default.createFile(atPath: path, contents: Data(bytes: start, count: count))
    var model: SavedModel
    do {
        model = try SavedModel.read(path)
    } catch {
        precondition(error.description.hasPrefix(path) && !error.description.contains("\n"))
        // Past the checksum (a file someone edited and re-checksummed): the checks after it must hold.
        guard let unchecked = try? JSONDecoder().decode(SavedModel.self, from: Data(bytes: start, count: count)) else { return 0 }
        model = unchecked
        do { try model.validate(path) } catch { return 0 }
    }
    _ = model.randomEffectsTables
    do {
        let predictions = try model.predictionModel().predict(gcse, interval: .prediction)
        precondition(predictions.count == gcse.rowCount)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
