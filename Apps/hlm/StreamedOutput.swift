import Foundation

/// An output written a part at a time (streamed residuals, simulated blocks): standard output, or a
/// file written under a temporary name and renamed when finished, as ``OutputFile`` writes whole
/// outputs, so that a failure never leaves a partial file. A CSV's header is kept from the first part only.
struct StreamedOutput {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle
    private var wroteHeader = false

    init(to path: String?) throws {
        self.path = path
        guard let path else {
            (temporary, handle) = (nil, FileHandle.standardOutput)
            return
        }
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let opened = FileHandle(forWritingAtPath: temporary) else {
            throw CommandFailure(message: "\(path): cannot write", status: .badInput)
        }
        (self.temporary, handle) = (temporary, opened)
    }

    /// Writes a CSV part (its first line a header): the header only the first time.
    mutating func writeCSV(_ parts: [[UInt8]]) throws {
        for (k, part) in parts.enumerated() {
            var bytes = part
            if k == 0, wroteHeader, let newline = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(0...newline) }
            try write(bytes)
        }
        wroteHeader = true
    }

    private func write(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            abandon()
            throw CommandFailure(message: "\(path ?? "standard output"): cannot write (\(error.localizedDescription))", status: .badInput)
        }
    }

    /// The file in place (a rename: readers see no part of it before).
    func finish() throws {
        guard let temporary, let path else { return }
        try? handle.close()
        guard rename(temporary, path) == 0 else {
            abandon()
            throw CommandFailure(message: "\(path): cannot write (\(String(cString: strerror(errno))))", status: .badInput)
        }
    }

    /// Removes the temporary file after a failure.
    func abandon() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
