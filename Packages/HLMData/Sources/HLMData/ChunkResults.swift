import Foundation

/// Slots for the results of chunks parsed on several threads; each slot is written once, by one thread.
final class ChunkResults: @unchecked Sendable {
    private var slots: [Result<CSVReader.ChunkParse, DataError>?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func store(_ index: Int, _ result: Result<CSVReader.ChunkParse, DataError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// The result, removed from its slot (so that its columns are uniquely referenced by the caller).
    func take(_ index: Int) -> Result<CSVReader.ChunkParse, DataError> {
        lock.lock()
        defer { lock.unlock() }
        let result = slots[index]!
        slots[index] = nil
        return result
    }
}
