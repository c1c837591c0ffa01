import Foundation
import HLMFormula
import _HLMSupport

/// The passes over the rows: ZΛ per row for θ, Xβ, ZΛu, and η with its log-likelihood.
extension LaplaceDeviance {
    func rowValues(_ theta: [Double]) -> RowValues? {
        var lambdas: [[Double]] = []
        for k in order { guard let l = parameters.lambda(theta, term: k) else { return nil }; lambdas.append(l) }
        let terms = design.randomTerms
        let q1 = terms[order[0]].termCount
        var first = [Double](repeating: 0, count: n * q1)
        let perRow = order.dropFirst().reduce(0) { $0 + terms[$1].termCount }
        var restIndex = [Int](repeating: 0, count: n * perRow), restValue = [Double](repeating: 0, count: n * perRow)
        for (position, k) in order.enumerated() {
            let term = terms[k], q = term.termCount, lambda = lambdas[position]
            var slot = 0
            if position > 0 { slot = order[1..<position].reduce(0) { $0 + terms[$1].termCount } }
            term.z.values.withUnsafeBufferPointer { z in
                for i in 0..<n {
                    let g = Int(term.codes[i])
                    for a in 0..<q {
                        var value = 0.0
                        for b in a..<q { value += z[i + b * n] * lambda[b + a * q] }
                        if position == 0 {
                            first[i * q1 + a] = value
                        } else {
                            restIndex[i * perRow + slot + a] = restStarts[position - 1] + g * q + a
                            restValue[i * perRow + slot + a] = value
                        }
                    }
                }
            }
        }
        return RowValues(first: first, restIndex: restIndex, restValue: restValue, perRow: perRow)
    }

    /// Xβ + offset.
    func fixedPart(_ beta: [Double]) -> [Double] {
        var eta = offset
        design.x.values.withUnsafeBufferPointer { x in
            for c in 0..<p where beta[c] != 0 { let b = beta[c]; for i in 0..<n { eta[i] += x[i + c * n] * b } }
        }
        return eta
    }

    /// ZΛu per row.
    func randomPart(_ u: [Double], _ rows: RowValues) -> [Double] {
        let q1 = design.randomTerms[order[0]].termCount, codes = design.randomTerms[order[0]].codes
        var result = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var value = 0.0
            let g = Int(codes[i])
            for a in 0..<q1 { value += rows.first[i * q1 + a] * u[g * q1 + a] }
            let base = i * rows.perRow, offset1 = design.randomTerms[order[0]].groupCount * q1
            for s in 0..<rows.perRow { value += rows.restValue[base + s] * u[offset1 + rows.restIndex[base + s]] }
            result[i] = value
        }
        return result
    }

    /// Rows from which the per-row passes are split between two threads.
    static let parallelRows = 50_000

    /// η = fixed + ZΛu and Σ −2 log p(y | η) in one pass (two threads for many rows).
    func linearPredictor(_ u: [Double], fixed: [Double], _ rows: RowValues) -> ([Double], Double) {
        let first = design.randomTerms[order[0]]
        let q1 = first.termCount, offset1 = first.groupCount * q1, perRow = rows.perRow
        var eta = [Double](repeating: 0, count: n)
        let parts = n >= Self.parallelRows ? 2 : 1
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts)
        defer { sums.deallocate() }
        let family = family, n = n
        eta.withUnsafeMutableBufferPointer { etaOut in
            let out = etaOut
            u.withUnsafeBufferPointer { uv in
            fixed.withUnsafeBufferPointer { fv in
            rows.first.withUnsafeBufferPointer { fr in
            rows.restIndex.withUnsafeBufferPointer { ri in
            rows.restValue.withUnsafeBufferPointer { rv in
            first.codes.withUnsafeBufferPointer { codes in
            y.withUnsafeBufferPointer { yv in
            trials.withUnsafeBufferPointer { tv in
                let pointers = RowPointers(eta: out, u: uv, fixed: fv, first: fr, restIndex: ri, restValue: rv, codes: codes, y: yv, trials: tv, sums: sums)
                let work: @Sendable (Int) -> Void = { part in
                    let start = n * part / parts, end = n * (part + 1) / parts
                    var sum = 0.0
                    for i in start..<end {
                        let g = Int(pointers.codes[i])
                        var value = pointers.fixed[i]
                        for a in 0..<q1 { value += pointers.first[i * q1 + a] * pointers.u[g * q1 + a] }
                        for s in 0..<perRow { value += pointers.restValue[i * perRow + s] * pointers.u[offset1 + pointers.restIndex[i * perRow + s]] }
                        pointers.eta[i] = value
                        sum += family.variablePart(pointers.y[i], eta: value, trials: pointers.trials[i])
                    }
                    pointers.sums[part] = sum
                }
                if parts == 1 { work(0) } else { ParallelWork.run(parts, work) }
            }
            }
            }
            }
            }
            }
            }
            }
        }
        return (eta, sums.reduce(constantSum, +))
    }
}

/// The buffers of one pass over the rows, handed to the threads that split it.
private struct RowPointers: @unchecked Sendable {
    let eta: UnsafeMutableBufferPointer<Double>
    let u: UnsafeBufferPointer<Double>, fixed: UnsafeBufferPointer<Double>, first: UnsafeBufferPointer<Double>
    let restIndex: UnsafeBufferPointer<Int>, restValue: UnsafeBufferPointer<Double>, codes: UnsafeBufferPointer<Int32>
    let y: UnsafeBufferPointer<Double>, trials: UnsafeBufferPointer<Double>
    let sums: UnsafeMutableBufferPointer<Double>
}
