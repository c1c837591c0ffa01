import HLMData
import HLMFormula

/// The sufficient statistics of a CSV read a block at a time (`--streaming`): each block's rows are
/// summed and dropped, so memory is one block plus the sums (groups × columns), never the rows.
public enum StreamingStatistics {
    /// `progress` is called after each block with the rows and bytes read so far.
    public static func read(
        _ reader: inout CSVBlockReader, formula: String, groups: [String] = [], where filter: String? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> (statistics: SufficientStatistics, filteredRows: Int) {
        var sum = StatisticsAccumulator()
        var filtered = 0
        while let block = try reader.next() {
            guard block.rowCount > 0 else { continue }
            let first = block.dataRow(0), last = block.dataRow(block.rowCount - 1)
            let part = try PreparedModel.partition(formula, groups: groups, frame: block, where: filter)
            filtered += part.filteredRows
            if part.design.design.observationCount > 0 {
                try sum.add(SufficientStatistics(part.design, formulaGroups: groups), source: "\(reader.source) (data rows \(first)-\(last))")
            }
            progress?(reader.rowsRead, reader.bytesRead)
        }
        guard let statistics = sum.result() else {
            throw StatisticsError(source: reader.source, message: "no rows to fit")
        }
        return (statistics, filtered)
    }
}
