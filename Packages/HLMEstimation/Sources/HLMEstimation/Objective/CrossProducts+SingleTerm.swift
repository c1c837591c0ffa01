import _HLMSupport
import Foundation
import HLMData
import HLMFormula

extension CrossProducts {
    /// Rows from which a one-term model's pass is split between two threads.
    static let parallelRows = 200_000

    /// The cross products of a one-term model in a single pass over the rows, with plain pointers; a
    /// large pass in two halves on two threads, each into its own sums, added at the end.
    static func singleTerm(_ design: ModelDesign, _ term: RandomEffectsDesign, q1: Int, r: Int, yShift: Double) -> ([Double], [Double], [Double]) {
        let n = design.observationCount, groups = term.groupCount
        let sizes = (a11: q1 * q1 * groups, a22: r * r, panels: groups * r * q1)
        let width = sizes.a11 + sizes.a22 + sizes.panels
        let halves = n >= parallelRows && ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1
        // One buffer per half: [a11 | a22 | panels].
        var sums = [Double](repeating: 0, count: halves * width)
        sums.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            if halves == 1 {
                accumulate(design, term, rows: 0..<n, q1: q1, r: r, yShift: yShift, into: base)
                return
            }
            ParallelWork.run(2) { half in
                accumulate(design, term, rows: half == 0 ? 0..<(n / 2) : (n / 2)..<n, q1: q1, r: r, yShift: yShift, into: base + half * width)
            }
            for i in 0..<width { base[i] += base[width + i] }
        }
        let a22Start = sizes.a11, panelStart = sizes.a11 + sizes.a22
        return (Array(sums[0..<a22Start]), Array(sums[a22Start..<panelStart]), Array(sums[panelStart..<width]))
    }

    /// Rows handled at a time by ``accumulate``: their columns stay in cache between its two loops.
    static let rowChunk = 2_048

    /// Adds the rows' contributions to [a11 | a22 | panels] at `target`: per chunk of rows, the groups'
    /// blocks and panels row by row, then the R×R block [X y]'[X y] as dot products of the chunk's
    /// columns (vectorised; row by row it was 21 of the 36 sums a row adds at p = 5).
    private static func accumulate(
        _ design: ModelDesign, _ term: RandomEffectsDesign, rows: Range<Int>, q1: Int, r: Int, yShift: Double,
        into target: UnsafeMutablePointer<Double>
    ) {
        let n = design.observationCount, p = r - 1, groups = term.groupCount
        let a11 = target, a22 = target + q1 * q1 * groups, panels = a22 + r * r
        withUnsafeTemporaryAllocation(of: Double.self, capacity: r + q1 + rowChunk) { scratch in
            let row = scratch.baseAddress!, zRow = row + r, shifted = zRow + q1
            design.x.values.withUnsafeBufferPointer { x in
                design.y.withUnsafeBufferPointer { y in
                    term.z.values.withUnsafeBufferPointer { z in
                        term.codes.withUnsafeBufferPointer { codes in
                            var chunkStart = rows.lowerBound
                            while chunkStart < rows.upperBound {
                                let chunk = chunkStart..<Swift.min(chunkStart + rowChunk, rows.upperBound)
                                for i in chunk {
                                    let j = Int(codes[i])
                                    for c in 0..<p { row[c] = x[i + c * n] }
                                    row[p] = y[i] - yShift
                                    shifted[i - chunk.lowerBound] = row[p]
                                    for c in 0..<q1 { zRow[c] = z[i + c * n] }
                                    let block = a11 + j * q1 * q1
                                    for b in 0..<q1 { for a in b..<q1 { block[a + b * q1] += zRow[a] * zRow[b] } }
                                    let panel = panels + j * r * q1
                                    for c in 0..<q1 {
                                        let zc = zRow[c]
                                        for k in 0..<r { panel[k + c * r] += row[k] * zc }
                                    }
                                }
                                // Column k of [X y] over the chunk: X's column, or y less the shift.
                                let column = { (k: Int) -> UnsafePointer<Double> in
                                    k < p ? x.baseAddress! + k * n + chunk.lowerBound : UnsafePointer(shifted)
                                }
                                for b in 0..<r {
                                    for a in b..<r { a22[a + b * r] += dotProduct(column(a), column(b), count: chunk.count) }
                                }
                                chunkStart = chunk.upperBound
                            }
                        }
                    }
                }
            }
        }
    }
}
