/// What a DDI Codebook says about a data file's variables.
public struct Codebook: Sendable, Equatable {
    /// The study title (`titl`), when present.
    public var title: String?
    /// Variables in codebook order.
    public var variables: [CodebookVariable]
    /// Where it was read from, for messages.
    public var source: String

    public init(title: String? = nil, variables: [CodebookVariable], source: String = "<memory>") {
        self.title = title
        self.variables = variables
        self.source = source
    }

    /// The description of the variable called `name`.
    public func variable(named name: String) -> CodebookVariable? {
        variables.first { $0.name == name }
    }
}

/// One `var` element of a DDI codebook.
public struct CodebookVariable: Sendable, Equatable {
    /// How a variable is stored (`varFormat type`).
    public enum FormatType: String, Sendable, Equatable {
        case numeric, character
    }

    public var name: String
    /// The variable label (`labl`).
    public var label: String?
    /// `intrvl`: "contin" or "discrete".
    public var interval: String?
    /// `nature`: "nominal", "ordinal", "interval", "ratio", ...
    public var nature: String?
    public var formatType: FormatType?
    /// Value labels and missing-value codes, in codebook order.
    public var categories: [CodebookCategory]
    /// Missing-value codes from `invalrng` `item VALUE`.
    public var missingValues: [String]
    /// Missing-value ranges from `invalrng` `range`.
    public var missingRanges: [MissingRange]

    public init(
        name: String, label: String? = nil, interval: String? = nil, nature: String? = nil,
        formatType: FormatType? = nil, categories: [CodebookCategory] = [], missingValues: [String] = [],
        missingRanges: [MissingRange] = []
    ) {
        self.name = name
        self.label = label
        self.interval = interval
        self.nature = nature
        self.formatType = formatType
        self.categories = categories
        self.missingValues = missingValues
        self.missingRanges = missingRanges
    }

    /// The value labels: categories that are not missing-value codes.
    public var valueLabels: [CodebookCategory] { categories.filter { !$0.isMissing } }

    /// Whether any value of this variable is declared missing.
    public var hasMissingCodes: Bool {
        categories.contains { $0.isMissing } || !missingValues.isEmpty || !missingRanges.isEmpty
    }

    /// Whether a value as written in the data is a declared missing-value code.
    /// Numbers compare numerically, so `09` matches the code `9`.
    public func isMissingCode(_ raw: String) -> Bool {
        let number = NumberParser.parse(raw)
        for category in categories where category.isMissing && CodebookVariable.sameValue(raw, number, category.value) {
            return true
        }
        for value in missingValues where CodebookVariable.sameValue(raw, number, value) { return true }
        if case .number(let x) = number {
            return missingRanges.contains { $0.contains(x) }
        }
        return false
    }

    /// Whether a numeric value is a declared missing-value code.
    public func isMissingCode(_ x: Double) -> Bool {
        for category in categories where category.isMissing {
            if case .number(let code) = NumberParser.parse(category.value), code == x { return true }
        }
        for value in missingValues {
            if case .number(let code) = NumberParser.parse(value), code == x { return true }
        }
        return missingRanges.contains { $0.contains(x) }
    }

    /// Two spellings of a value are the same when equal as text or as numbers.
    static func sameValue(_ raw: String, _ parsed: ParsedNumber, _ code: String) -> Bool {
        if raw == code { return true }
        guard case .number(let a) = parsed, case .number(let b) = NumberParser.parse(code) else { return false }
        return a == b
    }
}

/// A `catgry`: a value, its label, and whether it is a missing-value code (`missing="Y"`).
public struct CodebookCategory: Sendable, Equatable {
    public var value: String
    public var label: String?
    public var isMissing: Bool

    public init(value: String, label: String? = nil, isMissing: Bool = false) {
        self.value = value
        self.label = label
        self.isMissing = isMissing
    }
}

/// A `range` of missing values in `invalrng` (`min`, `max`, or the exclusive forms).
public struct MissingRange: Sendable, Equatable {
    public var lower: Double?
    public var upper: Double?
    public var lowerExclusive: Bool
    public var upperExclusive: Bool

    public init(lower: Double?, upper: Double?, lowerExclusive: Bool = false, upperExclusive: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.lowerExclusive = lowerExclusive
        self.upperExclusive = upperExclusive
    }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerExclusive ? !(x > lower) : !(x >= lower) { return false }
        if let upper, upperExclusive ? !(x < upper) : !(x <= upper) { return false }
        return lower != nil || upper != nil
    }
}
