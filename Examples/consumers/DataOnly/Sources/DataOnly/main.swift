// Reads a CSV with its codebook and prints each column's kind, using HLMData alone.
import HLMData

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Examples/data/gcse.csv"
do {
    let (frame, codebook) = try DataLoading.load(dataPath: path)
    print("\(frame.rowCount) rows, \(frame.columnNames.count) columns\(codebook.map { " (codebook: \($0.title ?? "untitled"))" } ?? "")")
    let filter = try RowFilter.parse("nstu > 4 & girl == 1")
    if frame.column(named: "nstu") != nil {
        print("rows with nstu > 4 & girl == 1:", try filter.evaluate(on: frame, expression: "nstu > 4").filter { $0 }.count)
    }
} catch {
    print("error: \(error)")
}
