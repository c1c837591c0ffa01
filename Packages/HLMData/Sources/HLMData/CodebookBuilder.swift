import _CLibXML2

/// Turns the reader's stream of elements into a ``Codebook``: `var`, `labl`, `catgry`, `catValu`,
/// `varFormat` and `invalrng` (`item`, `range`), by local name, in any order within their parent.
struct CodebookBuilder {
    let source: String
    private var variables: [CodebookVariable] = []
    private var title: String?
    private var path: [String] = []
    private var variable: CodebookVariable?
    private var category: CodebookCategory?
    private var text = ""
    private var problem: DataError?

    init(source: String) {
        self.source = source
    }

    mutating func consume(_ reader: xmlTextReaderPtr) {
        switch Int(xmlTextReaderNodeType(reader)) {
        case Int(HLM_XML_READER_TYPE_ELEMENT):
            let name = string(xmlTextReaderConstLocalName(reader)) ?? ""
            let empty = xmlTextReaderIsEmptyElement(reader) == 1
            open(name, reader)
            if empty { close(name) } else { path.append(name) }
        case Int(HLM_XML_READER_TYPE_END_ELEMENT):
            if let name = path.popLast() { close(name) }
        case Int(HLM_XML_READER_TYPE_TEXT), Int(HLM_XML_READER_TYPE_CDATA):
            text += string(xmlTextReaderConstValue(reader)) ?? ""
        default:
            break
        }
    }

    private mutating func open(_ name: String, _ reader: xmlTextReaderPtr) {
        text = ""
        switch name {
        case "var":
            let line = Int(xmlTextReaderGetParserLineNumber(reader))
            guard let variableName = attribute("name", reader), !variableName.isEmpty else {
                problem = problem ?? .malformed(InputLocation(file: source, line: line),
                                                message: "a <var> element has no name attribute")
                return
            }
            variable = CodebookVariable(
                name: variableName, interval: attribute("intrvl", reader), nature: attribute("nature", reader))
        case "catgry":
            category = CodebookCategory(value: "", isMissing: attribute("missing", reader)?.uppercased() == "Y")
        case "varFormat":
            if let type = attribute("type", reader) { variable?.formatType = .init(rawValue: type.lowercased()) }
        case "item" where path.last == "invalrng":
            if let value = attribute("VALUE", reader) { variable?.missingValues.append(value) }
        case "range" where path.last == "invalrng":
            func bound(_ key: String) -> Double? {
                guard let raw = attribute(key, reader), case .number(let x) = NumberParser.parse(raw) else { return nil }
                return x
            }
            let lowerExclusive = bound("minExclusive"), upperExclusive = bound("maxExclusive")
            let range = MissingRange(
                lower: bound("min") ?? lowerExclusive, upper: bound("max") ?? upperExclusive,
                lowerExclusive: lowerExclusive != nil, upperExclusive: upperExclusive != nil)
            variable?.missingRanges.append(range)
        default:
            break
        }
    }

    private mutating func close(_ name: String) {
        let value = normalized(text)
        switch name {
        case "labl":
            if category != nil {
                category?.label = value
            } else if variable != nil, variable?.label == nil {
                variable?.label = value
            }
        case "catValu":
            category?.value = value
        case "catgry":
            if let category, variable != nil, !category.value.isEmpty { variable?.categories.append(category) }
            category = nil
        case "var":
            if let variable { variables.append(variable) }
            variable = nil
        case "titl" where title == nil && path.last == "titlStmt":
            title = value
        default:
            break
        }
        text = ""
    }

    func finish() -> Result<Codebook, DataError> {
        if let problem { return .failure(problem) }
        return .success(Codebook(title: title, variables: variables, source: source))
    }

    private func attribute(_ name: String, _ reader: xmlTextReaderPtr) -> String? {
        guard xmlTextReaderMoveToAttribute(reader, name) == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        return string(xmlTextReaderConstValue(reader))
    }

    private func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Trims and collapses runs of white space.
    private func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
