import Foundation
import Synchronization
import _COpenBLAS

/// A second thread kept for the life of a fit, to split the work of each evaluation in two: `run`
/// hands it one half and does the other on the caller's thread.
///
/// An evaluation of a crossed model splits its work a dozen times, each piece a millisecond or less,
/// so the hand-over is a flag the threads poll rather than a condition they sleep on (a wake-up costs
/// tens of microseconds here); the second thread sleeps only after a while with no work. While one
/// exists, OpenBLAS runs single-threaded (restored after the last one goes): its idle workers poll too,
/// and would take the core the second half runs on (measured: a split downdate no faster beside them).
final class SecondThread: @unchecked Sendable {
    /// What the two threads share; the thread holds it, so it outlives the owner's `deinit`.
    private final class Mailbox: @unchecked Sendable {
        enum State: Int { case idle, posted, done, stopping }
        let state = Atomic<Int>(State.idle.rawValue)
        var job: (@Sendable () -> Void)?
        let condition = NSCondition()
        /// How long the thread polls for work before it sleeps, in nanoseconds.
        static let pollingTime: UInt64 = 2_000_000

        func serve() {
            while true {
                var polledSince = DispatchTime.now().uptimeNanoseconds
                var current = state.load(ordering: .acquiring)
                while current != State.posted.rawValue && current != State.stopping.rawValue {
                    if DispatchTime.now().uptimeNanoseconds - polledSince > Self.pollingTime {
                        condition.lock()
                        while true {
                            let now = state.load(ordering: .acquiring)
                            if now == State.posted.rawValue || now == State.stopping.rawValue { break }
                            condition.wait()
                        }
                        condition.unlock()
                        polledSince = DispatchTime.now().uptimeNanoseconds
                    }
                    hlm_spin_pause()
                    current = state.load(ordering: .acquiring)
                }
                if current == State.stopping.rawValue { return }
                job?()
                job = nil
                state.store(State.done.rawValue, ordering: .releasing)
            }
        }

        func post(_ work: @escaping @Sendable () -> Void) {
            job = work
            condition.lock()
            state.store(State.posted.rawValue, ordering: .releasing)
            condition.broadcast()
            condition.unlock()
        }

        func waitUntilDone() {
            while state.load(ordering: .acquiring) != State.done.rawValue { hlm_spin_pause() }
            state.store(State.idle.rawValue, ordering: .relaxed)
        }

        func stop() {
            condition.lock()
            state.store(State.stopping.rawValue, ordering: .releasing)
            condition.broadcast()
            condition.unlock()
        }
    }

    private let mailbox = Mailbox()

    init() {
        BLASThreads.acquire()
        let mailbox = self.mailbox
        let thread = Thread { mailbox.serve() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        mailbox.stop()
        BLASThreads.release()
    }

    /// Calls `body(0)` here and `body(1)` on the second thread; returns when both have returned.
    func run(_ body: @escaping @Sendable (Int) -> Void) {
        mailbox.post { body(1) }
        body(0)
        mailbox.waitUntilDone()
    }

    /// Calls `body` on consecutive chunks of `range`, each chunk once, the two threads taking the next
    /// chunk in turn: for work whose cost per index is uneven or hard to predict (a fixed split of the
    /// downdate by its estimated work left one thread waiting for the other a third of the time).
    func share(_ range: Range<Int>, chunk: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let counter = ChunkCounter(), lower = range.lowerBound, upper = range.upperBound
        run { _ in
            while true {
                let start = lower + counter.taken.wrappingAdd(chunk, ordering: .relaxed).oldValue
                guard start < upper else { return }
                body(start..<Swift.min(start + chunk, upper))
            }
        }
    }

    private final class ChunkCounter: Sendable {
        let taken = Atomic<Int>(0)
    }
}

/// OpenBLAS's thread count, held at one while any ``SecondThread`` exists.
public enum BLASThreads {
    /// Whether the first ``SecondThread`` also ends OpenBLAS's idle worker (as before a fork; a later
    /// call on several threads starts it again). Its worker polls (sched_yield) for 2²⁸ cycles after its
    /// last work, from the library's load on: for a short fit, all of it, on the core the second half
    /// runs on (VerbAgg: median 0.35 → 0.23 s with OPENBLAS_NUM_THREADS=1, 12 interleaved runs). Only
    /// for a program that calls BLAS from one thread at a time, as the `hlm` app does: ending the worker
    /// while another thread is inside a threaded BLAS call hangs that call (seen in the parallel test
    /// runner). Off by default.
    nonisolated(unsafe) public static var endsIdleWorkers = false
    private static let lock = NSLock()
    nonisolated(unsafe) private static var holders = 0
    nonisolated(unsafe) private static var saved: Int32 = 1

    static func acquire() {
        lock.lock()
        defer { lock.unlock() }
        if holders == 0 {
            saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
            if endsIdleWorkers { hlm_blas_stop_workers() }
        }
        holders += 1
    }

    static func release() {
        lock.lock()
        defer { lock.unlock() }
        holders -= 1
        if holders == 0 { openblas_set_num_threads(saved) }
    }
}
