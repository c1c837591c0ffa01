// libFuzzer target: arbitrary text as a model formula (any notation, pasted Stata sessions included)
// and as a --where expression; what parses is resolved against a small data frame, and its coding is
// applied to that frame again as new data (predict) and as a partition's coding (hlm stats). Every input
// must end in a model or an error.
import Foundation
import HLMData
import HLMFormula

let frame: DataFrame = {
    var csv = "y,x,z,g,h,f\n"
    for i in 0..<24 { csv += "\(Double(i % 7) + 0.5 * Double(i)),\(i % 5),\(Double(i) / 3),g\(i % 4),h\(i % 3),\(i % 2 == 0 ? "a" : "b")\n" }
    return try! CSVReader().read(string: csv)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormula(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let model = try? ModelFormula.parse(text, groups: ["g", "h"]) {
        if let design = try? model.design(for: frame) { _ = try? design.newData(frame) }
        // Partition coding (`hlm stats`) and the model's columns recovered from it.
        if let partition = try? model.partitionDesign(for: frame) {
            let coding = PartitionCoding(columns: partition.columns, variables: partition.variables)
            if let kept = try? coding.modelColumns(partition.columns) { precondition(kept.allSatisfy { $0 < partition.columns.count }) }
        }
    }
    if let filter = try? RowFilter.parse(text) {
        _ = try? filter.evaluate(on: frame, expression: text)
    }
    return 0
}
