import Foundation
import HLMFormula

/// The statistics file (`docs/statistics-format.md`): the JSON of ``SufficientStatistics`` with a
/// checksum of its content, so a truncated, edited or corrupted file is refused, never fitted.
extension SufficientStatistics {
    private struct File: Codable {
        var statistics: SufficientStatistics
        /// FNV-1a (64 bits, hex) of the content's canonical bytes (``checksum``).
        var checksum: String
    }

    /// What is read first: the format and version, whatever else the file holds.
    private struct Header: Decodable {
        struct Identity: Decodable {
            var format: String?
            var version: Int?
        }
        var statistics: Identity?
    }

    /// The file's bytes; sums that are not finite numbers (JSON has none) are an error, not a file.
    public func encoded() throws(StatisticsError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(File(statistics: self, checksum: checksum)) else {
            throw StatisticsError(source: "", message: "a sum is not a finite number (values too large to add up?)")
        }
        return data
    }

    /// Reads a statistics file; anything that is not one, or is one damaged, is an error naming `source`.
    public init(decoding data: Data, source: String) throws(StatisticsError) {
        func refuse(_ message: String) -> StatisticsError { StatisticsError(source: source, message: message) }
        // The format and version first, so a newer file says so instead of failing to decode.
        guard let header = try? JSONDecoder().decode(Header.self, from: data), let statistics = header.statistics else {
            throw refuse("not an hlm statistics file (it is not the JSON `hlm stats` writes, or it is cut short)")
        }
        guard statistics.format == Self.formatName else {
            throw refuse("not an hlm statistics file (its format is not \(Self.formatName))")
        }
        guard let version = statistics.version else { throw refuse("a statistics file without a version") }
        guard version <= Self.currentVersion else {
            throw refuse("statistics format version \(version) is newer than this hlm reads (\(Self.currentVersion)); use a newer hlm")
        }
        guard version == Self.currentVersion else { throw refuse("statistics format version \(version) is not one this hlm reads") }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw refuse("a damaged statistics file (\(Self.describe(error)))")
        }
        guard file.checksum == file.statistics.checksum else {
            throw refuse("a damaged statistics file: its checksum does not match its content (edited or corrupted)")
        }
        try file.statistics.validate(source: source)
        self = file.statistics
    }

    /// The consistency a file's content must have (beyond its checksum: a file written by something else).
    func validate(source: String) throws(StatisticsError) {
        func refuse(_ message: String) -> StatisticsError { StatisticsError(source: source, message: message) }
        let g = groups.count, q = self.q, w = width
        guard q > 0, !columns.isEmpty || w == 1 else { throw refuse("a statistics file without a random-effects term") }
        guard groupRows.count == g, zz.count == q * q * g, zxy.count == w * q * g, xy.count == w * w else {
            throw refuse("a damaged statistics file: its arrays do not have the sizes its groups and columns need")
        }
        guard Set(groups).count == g else { throw refuse("a damaged statistics file: a group appears twice") }
        guard Set(columns).count == columns.count else { throw refuse("a damaged statistics file: a column appears twice") }
        var total = 0, overflow = false
        for count in groupRows {
            (total, overflow) = total.addingReportingOverflow(count)
            if overflow { break }
        }
        guard !overflow, rows >= 0, droppedRows >= 0, groupRows.allSatisfy({ $0 >= 0 }), total == rows else {
            throw refuse("a damaged statistics file: its row counts do not add up")
        }
        guard yShift.isFinite, zz.allSatisfy(\.isFinite), zxy.allSatisfy(\.isFinite), xy.allSatisfy(\.isFinite) else {
            throw refuse("a damaged statistics file: a sum is not a finite number")
        }
        for j in 0..<g { for c in 0..<q where zz[j * q * q + c + c * q] < 0 {
            throw refuse("a damaged statistics file: group \(groups[j]) has a negative sum of squares")
        } }
    }

    /// FNV-1a over every field in a fixed order (strings as UTF-8, numbers as their IEEE bits).
    var checksum: String {
        var hash = ContentChecksum()
        hash.add(format); hash.add(version); hash.add(formula); formulaGroups.forEach { hash.add($0) }; hash.add(response)
        for variable in variables {
            hash.add(variable.name); hash.add(variable.kind); variable.levelOrder?.forEach { hash.add($0) }; hash.add(UInt8(0xFE))
        }
        for column in columns {
            hash.add(column.name); hash.add(column.term)
            for part in column.parts { hash.add(part.variable); hash.add(part.level ?? "\u{0}"); hash.add(part.contrasted ? 1 : 0); hash.add(part.base) }
        }
        hash.add(groupName); termNames.forEach { hash.add($0) }; hash.add(covariance.rawValue); hash.add(covarianceIsDefault ? 1 : 0)
        hash.add(rows); hash.add(droppedRows); hash.add(yShift)
        groups.forEach { hash.add($0) }; groupRows.forEach { hash.add($0) }
        zz.forEach { hash.add($0) }; zxy.forEach { hash.add($0) }; xy.forEach { hash.add($0) }
        return hash.hex
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "a wrong value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "it does not decode"
        }
    }
}
