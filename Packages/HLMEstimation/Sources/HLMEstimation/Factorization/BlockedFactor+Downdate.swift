import Foundation
import HLMFormula

extension BlockedFactor {
    /// L₂₂ −= Σ_j P_j P_j' over each group's compact panel (lower triangle), one column of L₂₂ at a
    /// time: column b gathers the products of every panel that has row b. The column being written stays
    /// in cache and the panels are read in order; going panel by panel instead scatters the updates over
    /// all of L₂₂ (measured: 3× slower for 1,145 rows). With `scale`, each column is first filled with
    /// Λ'A₂₂Λ + I (scalar terms: a diagonal Λ), so L₂₂ is written once per evaluation.
    mutating func subtractPanelProducts(_ products: CrossProducts, fillingWith scale: [Double]?) {
        let r = self.r, q1 = self.q1, zRest = self.zRest, threads = self.threads
        (scale ?? []).withUnsafeBufferPointer { s in
        products.a22Start.withUnsafeBufferPointer { fillStart in
        products.a22Rows.withUnsafeBufferPointer { fillRows in
        products.a22Values.withUnsafeBufferPointer { fillValues in
        l22.withUnsafeMutableBufferPointer { target in
            l21.withUnsafeBufferPointer { panels in
                products.panelRows.withUnsafeBufferPointer { rows in
                    products.panelStart.withUnsafeBufferPointer { panelStart in
                        products.panelValueStart.withUnsafeBufferPointer { valueStart in
                            products.rowEntryStart.withUnsafeBufferPointer { entryStart in
                                products.rowEntryGroup.withUnsafeBufferPointer { entryGroup in
                                    products.rowEntryPosition.withUnsafeBufferPointer { entryPosition in
                                        nonisolated(unsafe) let (s, target, panels, rows) = (s, target, panels, rows)
                                        nonisolated(unsafe) let (fillStart, fillRows, fillValues) = (fillStart, fillRows, fillValues)
                                        nonisolated(unsafe) let (panelStart, valueStart) = (panelStart, valueStart)
                                        nonisolated(unsafe) let (entryStart, entryGroup, entryPosition) = (entryStart, entryGroup, entryPosition)
                                        let fills = scale != nil
                                        let columns: @Sendable (Range<Int>) -> Void = { range in
                                            for b in range {
                                                let column = target.baseAddress! + b * r
                                                if fills {
                                                    // Zeros, then A₂₂'s nonzeros scaled, then the identity.
                                                    (column + b).update(repeating: 0, count: r - b)
                                                    let sb = s[b]
                                                    for e in fillStart[b]..<fillStart[b + 1] {
                                                        let i = Int(fillRows[e])
                                                        column[i] = fillValues[e] * s[i] * sb
                                                    }
                                                    if b < zRest { column[b] += 1 }
                                                }
                                                for e in entryStart[b]..<entryStart[b + 1] {
                                                    let j = Int(entryGroup[e]), k = Int(entryPosition[e])
                                                    let first = panelStart[j], height = panelStart[j + 1] - first
                                                    let panel = panels.baseAddress! + valueStart[j]
                                                    let panelRows = rows.baseAddress! + first
                                                    for c in 0..<q1 {
                                                        let values = panel + c * height
                                                        let vb = values[k]
                                                        if vb == 0 { continue }
                                                        for a in k..<height { column[Int(panelRows[a])] -= values[a] * vb }
                                                    }
                                                }
                                            }
                                        }
                                        if let threads {
                                            // Columns [0, middle) and [middle, r) hold equal work (filling and downdating).
                                            let middle = products.downdateMiddle
                                            threads.run { half in columns(half == 0 ? 0..<middle : middle..<r) }
                                        } else {
                                            columns(0..<r)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        }
        }
        }
    }
}
