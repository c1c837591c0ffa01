/// One result slot per piece of work run on several threads (``ParallelWork``, a second thread): each slot
/// is written by exactly one thread and read after they have all returned. Raw storage, so the writers
/// share no array header and need no lock.
public final class WorkSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    public init(_ count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    public func set(_ index: Int, _ value: Value?) { slots[index] = value }
    public func get(_ index: Int) -> Value? { slots[index] }
    /// The value, leaving the slot empty: the caller's copy is then the only one (its arrays mutate in place).
    public func take(_ index: Int) -> Value? {
        let value = slots[index]
        slots[index] = nil
        return value
    }
}
