import Foundation
import HLMFormula
import _HLMSupport

/// The passes over the rows: ZΛ per row for θ, Xβ, ZΛu, and η with its log-likelihood.
extension LaplaceDeviance {
    func rowValues(_ theta: [Double]) -> RowValues? {
        if let unitRows {
            // Every term scalar: ZΛ's values are z's times each term's λ, applied in the pass.
            var rows = unitRows
            var scales: [Double] = []
            for k in order {
                guard let l = parameters.lambda(theta, term: k) else { return nil }
                scales += [Double](repeating: l[0], count: scales.isEmpty ? 1 : design.randomTerms[k].termCount)
            }
            rows.scales = scales
            return rows
        }
        var lambdas: [[Double]] = []
        for k in order { guard let l = parameters.lambda(theta, term: k) else { return nil }; lambdas.append(l) }
        return rowValues(lambdas: lambdas)
    }

    /// ZΛ's values per row for these Λ (one per term, in the system's order), with unit scales.
    func rowValues(lambdas: [[Double]]) -> RowValues {
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
        return RowValues(first: first, restIndex: restIndex, restValue: restValue, perRow: perRow,
                         scales: [Double](repeating: 1, count: 1 + perRow))
    }

    /// Xβ + offset.
    func fixedPart(_ beta: [Double]) -> [Double] {
        var eta = offset
        design.x.values.withUnsafeBufferPointer { x in
            for c in 0..<p where beta[c] != 0 { let b = beta[c]; for i in 0..<n { eta[i] += x[i + c * n] * b } }
        }
        return eta
    }
}
