import Foundation

/// lme4's predictions, random effects, fitted values and residuals of the bundled data
/// (`Examples/data/reference-prediction.json`, written by `Tools/crosscheck-prediction.R`).
public struct PredictionReference: Decodable, Sendable, CustomStringConvertible {
    public struct Level: Decodable, Sendable {
        public var level: String
        public var mode: [Double]
        public var condSD: [Double]

        enum CodingKeys: String, CodingKey { case level, mode, condSD }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            level = try c.decode(String.self, forKey: .level)
            // R writes a one-element vector as a number.
            if let vector = try? c.decode([Double].self, forKey: .mode) { mode = vector } else { mode = [try c.decode(Double.self, forKey: .mode)] }
            if let vector = try? c.decode([Double].self, forKey: .condSD) { condSD = vector } else { condSD = [try c.decode(Double.self, forKey: .condSD)] }
        }
    }

    public var dataset: String
    public var formula: String
    /// The new data's rows, column by column as text.
    public var newdata: [[String: String]]
    public var conditional: [Double]
    public var marginal: [Double]
    public var confidenceSE: [Double]
    public var predictionSE: [Double]
    public var fitted: [Double]
    public var residuals: [Double]
    /// By lme4's group name (`cask:batch` for our `batch:cask`).
    public var ranef: [String: [Level]]

    public var description: String { "\(dataset): \(formula)" }

    public static func all() throws -> [PredictionReference] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-prediction.json")))
        return try JSONDecoder().decode([PredictionReference].self, from: data)
    }

    /// The new data as CSV text.
    public var newdataCSV: String {
        let columns = newdata.first.map { Array($0.keys).sorted() } ?? []
        return ([columns.joined(separator: ",")] + newdata.map { row in columns.map { row[$0]! }.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }
}
