import Synchronization
import _HLMSupport

/// Rows formatted as text a chunk at a time on two threads and handed to a sink in order, the
/// writing overlapped with the formatting: in each round both threads take chunks of the round's rows
/// from a shared counter, and the caller's thread first hands the sink the previous round's chunks
/// (so a disk's write time hides behind the other thread's formatting). Two sets of chunk buffers,
/// reused: memory stays a few MB whatever the output's size (a million rows' 80 MB in one buffer
/// were as many page faults as the formatting took).
enum BlockWriter {
    /// Chunks in a round; rows in a chunk at most (fewer for wide rows: a chunk's buffer is at most 1 MB).
    static let chunksPerRound = 16, maximumChunkRows = 4_096

    /// Formats rows `0..<rows` with `format(range, buffer)` (returning the bytes it wrote, at most
    /// `rowBytes` a row) and hands them to `sink` in order. False when `sink` returned false.
    static func write(rows: Int, rowBytes: Int, format: @escaping @Sendable (Range<Int>, UnsafeMutablePointer<UInt8>) -> Int,
                      to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard rows > 0 else { return true }
        let chunkRows = max(1, min(maximumChunkRows, (1 << 20) / max(rowBytes, 1)))
        let state = State(capacity: chunkRows * rowBytes)
        defer { state.release() }
        let rounds = (rows + chunkRows * chunksPerRound - 1) / (chunkRows * chunksPerRound)
        return withoutActuallyEscaping(sink) { sink in
            nonisolated(unsafe) let sink = sink
            /// Hands the sink the chunks of `round` (in set round % 2); false when it refused.
            @Sendable func hand(_ round: Int) -> Bool {
                let set = round % 2
                for chunk in 0..<state.chunkCount[set] {
                    let buffer = state.buffers[set * chunksPerRound + chunk]
                    guard sink(UnsafeRawBufferPointer(start: buffer, count: state.lengths[set * chunksPerRound + chunk])) else { return false }
                }
                return true
            }
            for round in 0..<rounds {
                let set = round % 2, first = round * chunkRows * chunksPerRound
                let chunks = min(chunksPerRound, (rows - first + chunkRows - 1) / chunkRows)
                state.chunkCount[set] = chunks
                state.next.store(0, ordering: .relaxed)
                // Whether the sink refused (set by the caller's thread, read after the join).
                nonisolated(unsafe) let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
                flag.initialize(to: false)
                defer { flag.deallocate() }
                ParallelWork.run(chunks > 1 ? 2 : 1) { k in
                    if k == 0, round > 0, !hand(round - 1) { flag.pointee = true }
                    while true {
                        let chunk = state.next.add(1, ordering: .relaxed).oldValue
                        guard chunk < chunks else { return }
                        let from = first + chunk * chunkRows, to = min(rows, from + chunkRows)
                        state.lengths[set * chunksPerRound + chunk] = format(from..<to, state.buffers[set * chunksPerRound + chunk])
                    }
                }
                if flag.pointee { return false }
            }
            return hand(rounds - 1)
        }
    }

    /// The buffers, their lengths and the round's chunk counter, shared by the two threads.
    private final class State: @unchecked Sendable {
        let buffers: [UnsafeMutablePointer<UInt8>]
        let lengths: UnsafeMutablePointer<Int>
        var chunkCount = [0, 0]
        let next = Atomic<Int>(0)

        init(capacity: Int) {
            buffers = (0..<(2 * BlockWriter.chunksPerRound)).map { _ in .allocate(capacity: capacity) }
            lengths = .allocate(capacity: 2 * BlockWriter.chunksPerRound)
            lengths.initialize(repeating: 0, count: 2 * BlockWriter.chunksPerRound)
        }

        func release() {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
        }
    }
}
