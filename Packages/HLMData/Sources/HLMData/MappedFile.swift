#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's bytes mapped read-only into memory, its pages loaded in one request (MAP_POPULATE on
/// Linux) rather than one page fault at a time as the parser reaches them.
final class MappedFile {
    let bytes: UnsafeBufferPointer<UInt8>
    private let length: Int

    /// nil when the file cannot be opened or mapped (the caller then reads it another way).
    init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        length = Int(status.st_size)
        if length == 0 {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, length, PROT_READ, flags, descriptor, 0), address != MAP_FAILED else { return nil }
        bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: length)
    }

    deinit {
        if length > 0, let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}
