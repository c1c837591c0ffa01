/// Numerical trouble found while fitting: not thrown, kept in the fit and shown in every report.
public struct Diagnostic: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case singularFit, droppedColumns, notConverged, covarianceDefault, droppedLevels, note
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
