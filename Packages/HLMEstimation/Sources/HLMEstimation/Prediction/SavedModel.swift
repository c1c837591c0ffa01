import Foundation
import HLMFormula

/// A fitted model as a file (docs/model-json.md): what prediction and `ranef` need, without the data.
/// Versioned: a file from a newer schema is refused, naming both versions.
public struct SavedModel: Sendable, Codable, Equatable {
    /// The schema this build writes and reads.
    public static let currentVersion = 1
    public static let schemaName = "hlm-model"

    public var schema: String
    public var version: Int
    /// The formula as written, and level equations' grouping columns (level 2 first).
    public var formula: String
    public var groups: [String]
    public var method: String
    public var estimator: String
    public var nobs: Int
    public var logLikelihood: Double
    public var fixedNames: [String]
    public var beta: [Double]
    /// p×p, column-major.
    public var betaCovariance: [Double]
    public var theta: [Double]
    public var sigma: Double
    public var randomEffects: [PredictionModel.Term]
    public var coding: DesignCoding
    /// FNV-1a of the rest of the content (``contentChecksum``): a file whose numbers were changed is
    /// refused. Files written before it are read without the check.
    public var checksum: String? = nil

    public init(_ fit: LinearMixedModel, groups: [String] = []) throws(EstimationError) {
        let model = try PredictionModel(fit)
        schema = Self.schemaName
        version = Self.currentVersion
        formula = fit.design.formula.text
        self.groups = groups
        method = fit.criterion.rawValue
        estimator = fit.estimator.rawValue
        nobs = fit.observationCount
        logLikelihood = fit.logLikelihood
        fixedNames = fit.design.fixedNames
        beta = fit.beta
        betaCovariance = fit.betaCovariance
        theta = fit.theta
        sigma = fit.sigma
        randomEffects = model.terms
        coding = fit.design.coding
        checksum = contentChecksum
    }

    /// The prediction model this file describes (the formula parsed again, the coding restored).
    public func predictionModel() throws(FormulaError) -> PredictionModel {
        let parsed = try ModelFormula.parse(formula, groups: groups)
        let design = ModelDesign.template(formula: parsed, fixedNames: fixedNames,
                                          terms: randomEffects.map { ($0.group, $0.levels, $0.terms) }, coding: coding)
        return PredictionModel(design: design, beta: beta, betaCovariance: betaCovariance, sigma: sigma, terms: randomEffects)
    }

    /// The random effects as `ranef` reports them.
    public var randomEffectsTables: [RandomEffectsTable] {
        randomEffects.map { term in
            RandomEffectsTable(group: term.group, terms: term.terms, levels: term.levels, modes: term.modes,
                               covariances: term.conditionalCovariances)
        }
    }

    /// Reads and checks a model file; every problem is one line naming the file.
    public static func read(_ path: String) throws(SavedModelError) -> SavedModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw .cannotRead(path) }
        // The schema and version decide the message (a file from the future is named as such): read
        // on their own only when the whole does not decode, or it is not this schema or version.
        struct Header: Decodable { var schema: String?; var version: Int? }
        let whole = Result { try JSONDecoder().decode(SavedModel.self, from: data) }
        if case .success(let model) = whole, model.schema == schemaName, model.version == currentVersion {
            try model.checked(path)
            return model
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.schema == schemaName, let version = header.version else {
            throw .notAModel(path)
        }
        guard version <= currentVersion else { throw .newerVersion(path, version, currentVersion) }
        let model: SavedModel
        switch whole {
        case .success(let decoded): model = decoded
        case .failure(let error): throw .corrupt(path, Self.describe(error))
        }
        try model.checked(path)
        return model
    }

    /// The checksum, then the content's own checks.
    private func checked(_ path: String) throws(SavedModelError) {
        if let checksum, checksum != contentChecksum {
            throw .corrupt(path, "its checksum does not match its content (edited or corrupted)")
        }
        try validate(path)
    }

    /// The checksum of everything but the checksum: the sorted JSON of the content, which reads back exactly.
    var contentChecksum: String {
        var content = self
        content.checksum = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash = ContentChecksum()
        hash.add((try? encoder.encode(content)) ?? Data())
        return hash.hex
    }

    /// Sizes and numbers that must agree: a corrupted file is refused, never used.
    func validate(_ path: String) throws(SavedModelError) {
        let p = fixedNames.count
        guard beta.count == p, betaCovariance.count == p * p else { throw .corrupt(path, "fixed effects and their covariance differ in size") }
        guard sigma.isFinite, sigma > 0, beta.allSatisfy(\.isFinite), betaCovariance.allSatisfy(\.isFinite) else {
            throw .corrupt(path, "a fixed effect, its covariance or sigma is not a finite number")
        }
        for term in randomEffects {
            let q = term.terms.count
            guard term.covariance.count == q, term.covariance.allSatisfy({ $0.count == q && $0.allSatisfy(\.isFinite) }),
                  term.modes.count == term.levels.count, term.conditionalCovariances.count == term.levels.count,
                  term.modes.allSatisfy({ $0.count == q && $0.allSatisfy(\.isFinite) }),
                  term.conditionalCovariances.allSatisfy({ $0.count == q * q && $0.allSatisfy(\.isFinite) })
            else { throw .corrupt(path, "the random effects of \(term.group) do not fit their terms and levels") }
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "the field \"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "a value of the wrong kind at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): "not valid JSON (\(context.debugDescription))"
        default: "not readable"
        }
    }
}

/// A model file that cannot be used.
public enum SavedModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotRead(String)
    case notAModel(String)
    case newerVersion(String, Int, Int)
    case corrupt(String, String)

    public var description: String {
        switch self {
        case .cannotRead(let path): "\(path): cannot read the model file"
        case .notAModel(let path): "\(path): not an hlm model file (no \"schema\": \"hlm-model\" with a version)"
        case .newerVersion(let path, let version, let current):
            "\(path): model file version \(version) is newer than this hlm reads (\(current)); use a newer hlm"
        case .corrupt(let path, let reason): "\(path): the model file is damaged: \(reason)"
        }
    }
}
