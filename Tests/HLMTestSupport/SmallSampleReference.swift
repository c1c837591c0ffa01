import Foundation

/// lmerTest's and pbkrtest's small-sample inference on the bundled data
/// (`Examples/data/reference-smallsample.json`, written by `Tools/crosscheck-smallsample.R`).
public struct SmallSampleReference: Decodable, Sendable, CustomStringConvertible {
    public struct Coefficient: Decodable, Sendable {
        public var name: String
        public var estimate: Double
        public var stdError: Double
        public var df: Double
        public var t: Double
        public var p: Double
    }

    public struct TermTest: Decodable, Sendable {
        public var term: String
        public var numDF: Int
        public var denDF: Double
        public var F: Double
        public var p: Double
    }

    public var dataset: String
    public var formula: String
    public var filter: String?
    public var logLik: Double
    public var satterthwaite: [Coefficient]
    public var kenwardRoger: [Coefficient]
    public var anovaSatterthwaite: [TermTest]
    public var anovaKenwardRoger: [TermTest]

    public var description: String { "\(dataset): \(formula)" }

    public static func all() throws -> [SmallSampleReference] { try File.load().fits }

    /// R's Wald χ² and F tests of linear hypotheses on the slides' model 3 (REML).
    public struct Hypothesis: Decodable, Sendable {
        public var text: String
        public var chi2: Double
        public var df: Int
        public var satterthwaiteF: Double
        public var satterthwaiteDenDF: Double
        public var kenwardRogerDenDF: Double
    }

    /// lmerTest's estimate, SE and Satterthwaite df of linear combinations on the same model.
    public struct Combination: Decodable, Sendable {
        public var text: String
        public var estimate: Double
        public var stdError: Double
        public var df: Double
    }

    public struct File: Decodable, Sendable {
        public var fits: [SmallSampleReference]
        public var hypotheses: [Hypothesis]
        public var combinations: [Combination]

        public static func load() throws -> File {
            let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-smallsample.json")))
            return try JSONDecoder().decode(File.self, from: data)
        }
    }
}
