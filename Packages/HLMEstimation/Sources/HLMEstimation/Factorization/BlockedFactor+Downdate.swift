import Foundation
import HLMFormula

/// The arrays the column kernel reads, as pointers valid inside ``BlockedFactor/withDowndate(_:scale:_:)``.
struct DowndateKernel: @unchecked Sendable {
    let r: Int, q1: Int, zRest: Int
    let scale: UnsafeBufferPointer<Double>
    let fillStart: UnsafeBufferPointer<Int>, fillRows: UnsafeBufferPointer<Int32>, fillValues: UnsafeBufferPointer<Double>
    let panels: UnsafeBufferPointer<Double>, rows: UnsafeBufferPointer<Int32>
    let panelStart: UnsafeBufferPointer<Int>, valueStart: UnsafeBufferPointer<Int>
    let entryStart: UnsafeBufferPointer<Int>, entryGroup: UnsafeBufferPointer<Int32>, entryPosition: UnsafeBufferPointer<Int32>

    /// Column b of Λ'A₂₂Λ + I − Σ_j P_j P_j' (rows b and below) added into `column`, indexed by rest row.
    /// With `fills`, A₂₂'s nonzeros scaled by the diagonal Λ and the identity are added first; the
    /// caller has zeroed the rows it will read.
    @inline(__always)
    func accumulate(column: UnsafeMutablePointer<Double>, b: Int, fills: Bool) {
        if fills {
            let sb = scale[b]
            for e in fillStart[b]..<fillStart[b + 1] {
                let i = Int(fillRows[e])
                column[i] = fillValues[e] * scale[i] * sb
            }
            if b < zRest { column[b] += 1 }
        }
        if q1 == 1 {
            // A scalar first term: panel j's values start where its rows do (`panelValueStart` equals
            // `panelStart`), so one offset serves both; the same products in the same order as below.
            let values = panels.baseAddress!, allRows = rows.baseAddress!
            for e in entryStart[b]..<entryStart[b + 1] {
                let j = Int(entryGroup[e])
                let start = panelStart[j] + Int(entryPosition[e]), end = panelStart[j + 1]
                let vb = values[start]
                if vb == 0 { continue }
                for a in start..<end { column[Int(allRows[a])] -= values[a] * vb }
            }
            return
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

extension BlockedFactor {
    /// Runs `body` with the kernel over the products' panels (as L₂₁ holds them) and A₂₂'s nonzeros.
    func withDowndate<T>(_ products: CrossProducts, scale: [Double], _ body: (DowndateKernel) -> T) -> T {
        Self.withDowndate(products, panels: l21, r: r, q1: q1, zRest: zRest, scale: scale, body)
    }

    /// `withDowndate` over the given panel values (L₂₁).
    static func withDowndate<T>(
        _ products: CrossProducts, panels l21: [Double], r: Int, q1: Int, zRest: Int, scale: [Double],
        _ body: (DowndateKernel) -> T
    ) -> T {
        scale.withUnsafeBufferPointer { s in
        products.a22Start.withUnsafeBufferPointer { fillStart in
        products.a22Rows.withUnsafeBufferPointer { fillRows in
        products.a22Values.withUnsafeBufferPointer { fillValues in
        l21.withUnsafeBufferPointer { panels in
        products.panelRows.withUnsafeBufferPointer { rows in
        products.panelStart.withUnsafeBufferPointer { panelStart in
        products.panelValueStart.withUnsafeBufferPointer { valueStart in
        products.rowEntryStart.withUnsafeBufferPointer { entryStart in
        products.rowEntryGroup.withUnsafeBufferPointer { entryGroup in
        products.rowEntryPosition.withUnsafeBufferPointer { entryPosition in
            body(DowndateKernel(
                r: r, q1: q1, zRest: zRest, scale: s, fillStart: fillStart, fillRows: fillRows, fillValues: fillValues,
                panels: panels, rows: rows, panelStart: panelStart, valueStart: valueStart,
                entryStart: entryStart, entryGroup: entryGroup, entryPosition: entryPosition))
        } } } } } } } } } } }
    }

    /// Columns the two threads take at a time in the downdate.
    static let downdateChunk = 8

    /// L₂₂ −= Σ_j P_j P_j' over each group's compact panel (lower triangle), one column of L₂₂ at a
    /// time: column b gathers the products of every panel that has row b. The column being written stays
    /// in cache and the panels are read in order; going panel by panel instead scatters the updates over
    /// all of L₂₂ (measured: 3× slower for 1,145 rows). With `scale`, each column is first filled with
    /// Λ'A₂₂Λ + I (scalar terms: a diagonal Λ), so L₂₂ is written once per evaluation.
    mutating func subtractPanelProducts(_ products: CrossProducts, fillingWith scale: [Double]?) {
        let (r, q1, zRest, threads, panels) = (self.r, self.q1, self.zRest, self.threads, l21)
        let fills = scale != nil
        l22.withUnsafeMutableBufferPointer { target in
            nonisolated(unsafe) let target = target
            Self.withDowndate(products, panels: panels, r: r, q1: q1, zRest: zRest, scale: scale ?? []) { kernel in
                let columns: @Sendable (Range<Int>) -> Void = { range in
                    for b in range {
                        let column = target.baseAddress! + b * r
                        if fills { (column + b).update(repeating: 0, count: r - b) }
                        kernel.accumulate(column: column, b: b, fills: fills)
                    }
                }
                if let threads { threads.share(0..<r, chunk: Self.downdateChunk, columns) } else { columns(0..<r) }
            }
        }
    }
}
