import Foundation

/// Kernels for the per-group q×q blocks and their panels, inline.
extension BlockedFactor {
    /// The per-group kernel of the first term, after the congruence λ'Aλ: adds I, factors the block
    /// (q×q) in place and turns its panel (height × q) into (A₂₁λ) L⁻ᵀ; the log-diagonal is added to
    /// `logDiagonal`. Both updates use it (the one-term update inlines q = 1 and 2, where the general
    /// loops cost more than the arithmetic). False when the block is not positive definite.
    @inline(__always)
    static func factorFirstTermBlock(_ block: UnsafeMutablePointer<Double>, panel: UnsafeMutablePointer<Double>, height: Int,
                                     lambda: UnsafePointer<Double>, _ q: Int, _ scratch: UnsafeMutablePointer<Double>,
                                     logDiagonal: inout LogProduct) -> Bool {
        for i in 0..<q { block[i + i * q] += 1 }
        guard SmallCholesky.factor(block, n: q) else { return false }
        for i in 0..<q { logDiagonal.add(block[i + i * q]) }
        multiplyRight(panel, rows: height, by: lambda, q, scratch)
        solveRightLowerTranspose(panel, rows: height, block, q)
        return true
    }

    /// block ← λ' block λ for a symmetric block given by its lower triangle (upper part left as is).
    /// `scratch` holds at least 2q² doubles.
    @inline(__always)
    static func congruence(_ block: UnsafeMutablePointer<Double>, _ lambda: UnsafePointer<Double>, _ q: Int,
                           _ scratch: UnsafeMutablePointer<Double>) {
        if q == 1 {
            block[0] *= lambda[0] * lambda[0]
            return
        }
        if q == 2 {
            let (a00, a10, a11) = (block[0], block[1], block[3])
            let (l00, l10, l11) = (lambda[0], lambda[1], lambda[3])
            // M = A λ (λ lower): columns m0 = A (l00, l10)', m1 = A (0, l11)'.
            let m00 = a00 * l00 + a10 * l10, m10 = a10 * l00 + a11 * l10
            let m01 = a10 * l11, m11 = a11 * l11
            block[0] = l00 * m00 + l10 * m10
            block[1] = l11 * m10
            block[3] = l11 * m11
            _ = m01
            return
        }
        let full = scratch, m = scratch + q * q
        for j in 0..<q { for i in 0..<q { full[i + j * q] = i >= j ? block[i + j * q] : block[j + i * q] } }
        for j in 0..<q { for i in 0..<q { var s = 0.0; for k in j..<q { s += full[i + k * q] * lambda[k + j * q] }; m[i + j * q] = s } }
        for j in 0..<q { for i in j..<q { var s = 0.0; for k in i..<q { s += lambda[k + i * q] * m[k + j * q] }; block[i + j * q] = s } }
    }

    /// panel (rows × q) ← panel · λ for a lower-triangular λ. `scratch` holds at least q doubles.
    @inline(__always)
    static func multiplyRight(_ panel: UnsafeMutablePointer<Double>, rows: Int, by lambda: UnsafePointer<Double>, _ q: Int,
                              _ scratch: UnsafeMutablePointer<Double>) {
        if q == 1 {
            let l = lambda[0]
            for i in 0..<rows { panel[i] *= l }
            return
        }
        if q == 2 {
            let (l00, l10, l11) = (lambda[0], lambda[1], lambda[3])
            for row in 0..<rows {
                let a = panel[row], b = panel[row + rows]
                panel[row] = a * l00 + b * l10
                panel[row + rows] = b * l11
            }
            return
        }
        for row in 0..<rows {
            for j in 0..<q { var s = 0.0; for k in j..<q { s += panel[row + k * rows] * lambda[k + j * q] }; scratch[j] = s }
            for j in 0..<q { panel[row + j * rows] = scratch[j] }
        }
    }

    /// panel (rows × q) ← panel · L⁻ᵀ for a lower-triangular q×q L.
    @inline(__always)
    static func solveRightLowerTranspose(_ panel: UnsafeMutablePointer<Double>, rows: Int, _ l: UnsafeMutablePointer<Double>, _ q: Int) {
        // X L' = B: column j of X: (B_j − Σ_{k<j} X_k L_jk) / L_jj.
        for j in 0..<q {
            let diagonal = l[j + j * q]
            for k in 0..<j {
                let ljk = l[j + k * q]
                if ljk == 0 { continue }
                for row in 0..<rows { panel[row + j * rows] -= panel[row + k * rows] * ljk }
            }
            for row in 0..<rows { panel[row + j * rows] /= diagonal }
        }
    }
}
