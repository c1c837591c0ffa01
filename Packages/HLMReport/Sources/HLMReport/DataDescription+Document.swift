import HLMData

extension DataDescription {
    /// The `hlm describe` report: one row per column.
    public var document: Document {
        var document = Document()
        document.append(.heading("\(source): \(rows) rows, \(columns.count) columns"))
        if let title { document.append(.paragraph(title)) }
        let rows = columns.map { column -> [String] in
            var summary = ""
            switch column.kind {
            case .numeric:
                if let mean = column.mean, let min = column.min, let max = column.max {
                    summary = "mean \(NumberFormatting.significant(mean, 5)), sd \(column.sd.map { NumberFormatting.significant($0, 5) } ?? "."), "
                        + "min \(NumberFormatting.significant(min, 5)), max \(NumberFormatting.significant(max, 5))"
                }
            case .categorical:
                summary = (column.levels ?? []).map { "\($0.level) \($0.count)" }.joined(separator: ", ")
            case .text:
                summary = "\(column.distinct ?? 0) distinct values"
            }
            return [column.name, column.kind.rawValue, column.label ?? "", String(column.count), String(column.missing), summary]
        }
        document.append(.table(Table(
            header: ["column", "kind", "label", "n", "missing", "summary"], rows: rows,
            alignments: [.left, .left, .left, .right, .right, .left])))
        if !warnings.isEmpty { document.append(.notes(warnings)) }
        return document
    }
}
