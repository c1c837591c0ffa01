import Foundation
import HLMData
import HLMEstimation

/// `hlm ranef`'s output: a table as Stata's `predict, reffects reses` lists them, CSV (one row per
/// group and coefficient) or JSON (`{"ranef": [...]}`, docs/fit-json.md).
public enum RandomEffectsRendering {
    public enum Format: String, Sendable {
        case text, csv, json
    }

    struct JSONBody: Encodable {
        var ranef: [RandomEffectsTable]
    }

    public static func render(_ tables: [RandomEffectsTable], as format: Format) throws -> String {
        switch format {
        case .json: return try JSONRendering.render(JSONBody(ranef: tables))
        case .csv:
            var frame = DataFrame(columns: [])
            var group: [String?] = [], level: [String?] = [], term: [String?] = [], mode: [Double] = [], sd: [Double] = []
            for table in tables {
                for entry in table.levels {
                    for (k, name) in table.terms.enumerated() {
                        group.append(table.group)
                        level.append(entry.level)
                        term.append(name)
                        mode.append(entry.mode[k])
                        sd.append(entry.condSD[k])
                    }
                }
            }
            frame = DataFrame(columns: [
                Column(name: "group", values: .text(TextColumn(values: group))), Column(name: "level", values: .text(TextColumn(values: level))),
                Column(name: "term", values: .text(TextColumn(values: term))), Column(name: "mode", values: .numeric(NumericColumn(mode))),
                Column(name: "condSD", values: .numeric(NumericColumn(sd))),
            ])
            return CSVWriter().write(frame)
        case .text:
            var document = Document()
            for table in tables {
                let names = table.terms.map { $0 == "(Intercept)" ? "_cons" : $0 }
                document.append(.paragraph("Random effects of \(table.group) (conditional modes and conditional SDs):"))
                document.append(.table(Table(header: [table.group] + names.flatMap { ["\($0)", "se(\($0))"] }, rows: table.levels.map { entry in
                    [entry.level] + entry.mode.indices.flatMap { [NumberFormatting.significant(entry.mode[$0], 7), NumberFormatting.significant(entry.condSD[$0], 7)] }
                })))
            }
            return TextRenderer().render(document)
        }
    }
}

/// `hlm predict`'s JSON: `{"reForm": "all", "predictions": [{"row": 1, "fit": ..., "se": ..., "lower": ..., "upper": ...}]}`.
public struct PredictionReport: Sendable, Encodable {
    public var reForm: String
    public var interval: String
    public var level: Double
    public var predictions: [PredictedValue]

    public init(reForm: String, interval: String, level: Double, predictions: [PredictedValue]) {
        self.reForm = reForm
        self.interval = interval
        self.level = level
        self.predictions = predictions
    }

    /// NEW.csv's columns, then `fit` (and `se`, `lower`, `upper` with an interval).
    public static func csv(_ frame: DataFrame, _ predictions: [PredictedValue], interval: Bool) -> CSVOutput {
        var out = frame
        out.setColumn(Column(name: "fit", values: .numeric(NumericColumn(predictions.map(\.fit)))))
        if interval {
            out.setColumn(Column(name: "se", values: .numeric(NumericColumn(predictions.map { $0.se ?? .nan }))))
            out.setColumn(Column(name: "lower", values: .numeric(NumericColumn(predictions.map { $0.lower ?? .nan }))))
            out.setColumn(Column(name: "upper", values: .numeric(NumericColumn(predictions.map { $0.upper ?? .nan }))))
        }
        // NEW.csv's own columns as they were; the predictions with 15 significant digits, as R's write.csv.
        return CSVOutput(out, fifteenDigits: ["fit", "se", "lower", "upper"])
    }

    /// `fit --residuals` of a binomial or Poisson fit: the linear fit's columns on the response scale,
    /// then `pearson` and `deviance` residuals.
    public static func residualsCSV(dataRows: [Int], _ rows: [GeneralizedFittedRow]) -> NumericCSV.Table {
        let sorted = zip(dataRows, dataRows.dropFirst()).allSatisfy { $0 < $1 }
        let order = sorted ? Array(dataRows.indices) : dataRows.indices.sorted { dataRows[$0] < dataRows[$1] }
        let columns: [[Double]] = [
            order.map { Double(dataRows[$0]) }, order.map { rows[$0].fitted }, order.map { rows[$0].residual },
            order.map { rows[$0].fittedMarginal }, order.map { rows[$0].residualMarginal }, order.map { rows[$0].pearson },
            order.map { rows[$0].deviance },
        ]
        return NumericCSV.Table(header: ["row", "fitted", "residual", "fittedMarginal", "residualMarginal", "pearson", "deviance"],
                                columns: columns)
    }

    /// `fit --residuals`: `row`, `fitted`, `residual`, `fittedMarginal`, `residualMarginal`, in file order.
    public static func residualsCSV(dataRows: [Int], _ fitted: FittedColumns) -> NumericCSV.Table {
        let header = ["row", "fitted", "residual", "fittedMarginal", "residualMarginal"]
        let columns = [dataRows.map(Double.init), fitted.fitted, fitted.residual, fitted.fittedMarginal, fitted.residualMarginal]
        // The design's rows are in file order already (filters and missing values only remove rows).
        guard !zip(dataRows, dataRows.dropFirst()).allSatisfy({ $0 < $1 }) else { return NumericCSV.Table(header: header, columns: columns) }
        let order = dataRows.indices.sorted { dataRows[$0] < dataRows[$1] }
        return NumericCSV.Table(header: header, columns: columns.map { column in order.map { column[$0] } })
    }

    /// The same from rows (a streamed block's).
    public static func residualsCSV(dataRows: [Int], _ rows: [FittedRow]) -> NumericCSV.Table {
        residualsCSV(dataRows: dataRows, FittedColumns(fitted: rows.map(\.fitted), residual: rows.map(\.residual),
                                                       fittedMarginal: rows.map(\.fittedMarginal), residualMarginal: rows.map(\.residualMarginal)))
    }
}
