import Foundation
import _CLibXML2

/// Reads DDI Codebook XML (2.5 with the `ddi:codebook:2_5` namespace, no namespace, or the older
/// ICPSR one: elements are matched by local name) with libxml2's streaming reader.
///
/// Safe by construction: no network (`XML_PARSE_NONET`), no DTD loading, no entity substitution,
/// and a document whose DTD declares entities is refused before parsing.
public struct CodebookReader: Sendable {
    public init() {}

    /// Reads the codebook at `path`.
    public func read(path: String) throws(DataError) -> Codebook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied?" : "no such file")
        }
        return try read(data: data, source: path)
    }

    /// Reads a codebook held in memory; `source` names it in messages.
    public func read(data: Data, source: String) throws(DataError) -> Codebook {
        if let entity = data.firstRange(of: Data("<!ENTITY".utf8)) {
            let line = data[..<entity.lowerBound].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw .malformed(InputLocation(file: source, line: line), message: "the codebook's DTD declares entities",
                             hint: "hlm does not expand XML entities; remove the DOCTYPE declaration")
        }
        guard data.count < Int(Int32.max) else {
            throw .cannotRead(file: source, reason: "larger than 2 GiB")
        }
        CodebookReader.initializeOnce
        let collector = ErrorCollector()
        let parsed: Result<Codebook, DataError> = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: CChar.self)
            guard let base = bytes.baseAddress, let reader = xmlReaderForMemory(
                base, Int32(bytes.count), source, "UTF-8", Int32(HLM_XML_PARSE_NONET))
            else {
                return .failure(.cannotRead(file: source, reason: "libxml2 could not start a reader"))
            }
            defer { xmlFreeTextReader(reader) }
            xmlTextReaderSetErrorHandler(reader, collectError, Unmanaged.passUnretained(collector).toOpaque())
            var builder = CodebookBuilder(source: source)
            while true {
                let status = xmlTextReaderRead(reader)
                if status == 0 { break }
                if status < 0 || collector.message != nil {
                    let line = collector.line ?? Int(xmlTextReaderGetParserLineNumber(reader))
                    let message = collector.message ?? "the XML is malformed"
                    return .failure(.malformed(InputLocation(file: source, line: line), message: "malformed XML: \(message)"))
                }
                builder.consume(reader)
            }
            if collector.message != nil {
                return .failure(.malformed(InputLocation(file: source, line: collector.line ?? 1),
                                           message: "malformed XML: \(collector.message!)"))
            }
            return builder.finish()
        }
        withExtendedLifetime(collector) {}
        return try parsed.get()
    }

    private static let initializeOnce: Void = {
        xmlInitParser()
        // libxml2 would print some errors (an undecodable encoding) to standard error itself; the
        // reader reports them as a DataError instead.
        xmlSetStructuredErrorFunc(nil) { _, _ in }
    }()
}

/// Holds the first error libxml2 reports.
private final class ErrorCollector: @unchecked Sendable {
    var message: String?
    var line: Int?
}

/// libxml2's error callback: keeps the first error (severity 2 or 4), ignores warnings.
private let collectError: xmlTextReaderErrorFunc = { argument, message, severity, locator in
    guard let argument, severity == 2 || severity == 4 else { return }
    let collector = Unmanaged<ErrorCollector>.fromOpaque(argument).takeUnretainedValue()
    guard collector.message == nil else { return }
    let text = message.map { String(cString: $0) } ?? "error"
    collector.message = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if let locator {
        let line = Int(xmlTextReaderLocatorLineNumber(locator))
        if line > 0 { collector.line = line }
    }
}
