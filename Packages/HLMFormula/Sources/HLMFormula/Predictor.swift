/// One variable-like part of a term, before it has seen the data.
public enum Predictor: Hashable, Sendable {
    /// A column; whether it is numeric or categorical is decided by the data and codebook.
    case variable(String)
    /// A column forced categorical (`factor(x)`, Stata `i.x`), optionally with a chosen base level.
    case categorical(String, base: BaseLevel?)
    /// A column forced numeric (Stata `c.x`).
    case continuous(String)
    /// A function of columns: `log(x)`, `I(x^2)`, `center(x)`, `cwc(x, g)`, `gmean(x, g)`.
    case function(FunctionCall)

    /// The columns of the data it reads.
    public var variables: [String] {
        switch self {
        case .variable(let name), .categorical(let name, _), .continuous(let name): [name]
        case .function(let call): call.variables
        }
    }

    /// How it is named in coefficient names (before level suffixes).
    public var name: String {
        switch self {
        case .variable(let name), .categorical(let name, _), .continuous(let name): name
        case .function(let call): call.text
        }
    }
}
