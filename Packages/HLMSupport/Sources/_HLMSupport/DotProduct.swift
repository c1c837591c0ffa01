/// Σ u[i] v[i] over `count` entries, in eight running sums (two SIMD4 lanes): one sum's additions
/// would wait on each other, and eight vectorise.
@inlinable
public func dotProduct(_ u: UnsafePointer<Double>, _ v: UnsafePointer<Double>, count: Int) -> Double {
    let ru = UnsafeRawPointer(u), rv = UnsafeRawPointer(v), stride = MemoryLayout<Double>.stride
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
    var i = 0
    while i + 8 <= count {
        s0 += ru.loadUnaligned(fromByteOffset: i * stride, as: SIMD4<Double>.self)
            * rv.loadUnaligned(fromByteOffset: i * stride, as: SIMD4<Double>.self)
        s1 += ru.loadUnaligned(fromByteOffset: (i + 4) * stride, as: SIMD4<Double>.self)
            * rv.loadUnaligned(fromByteOffset: (i + 4) * stride, as: SIMD4<Double>.self)
        i += 8
    }
    var sum = (s0 + s1).sum()
    while i < count {
        sum += u[i] * v[i]
        i += 1
    }
    return sum
}
