import Foundation
import HLMFormula

extension HLMTables {
    /// HLM's reliability and χ² tables for each level of a nested model (three levels: `(1 | a/b)`),
    /// by random-effects term, in design order; nil for a term where they are not defined (a term that
    /// crosses another, or more than one level nested inside it).
    ///
    /// For term k with groups g, the sampling covariance of a group's own (GLS) estimate of its
    /// coefficients is V_g = (Σ_h Z_kh' W_h Z_kh)⁻¹, summed over the inner groups h of g, with
    /// W_h = (σ² I + Z_mh G_m Z_mh')⁻¹ for the one term m nested inside k (σ⁻² I at the innermost level).
    /// Reliability_q = mean_g τ_qq / (τ_qq + V_g,qq) (Raudenbush & Bryk 2002, eq 8.23 at level 3).
    /// The χ² of coefficient q is Σ_g b̂_gq² / V_g,qq, b̂_g the group's GLS estimate from the
    /// residuals y − Xγ̂ less the effects of the terms k is nested in (held at their conditional
    /// modes); df = groups − the fixed columns of q's equation (those equal to Z_q times a variable
    /// constant within the groups).
    public static func levels(_ fit: LinearMixedModel) -> [LevelTable?] {
        let design = fit.design
        guard design.randomTerms.count > 1 else { return [] }
        let terms = design.randomTerms
        let grouping = design.formula.randomTerms.map(\.grouping)
        guard grouping.count == terms.count else { return terms.map { _ in nil } }
        func nests(_ inner: Int, in outer: Int) -> Bool {
            grouping[inner].count > grouping[outer].count && Array(grouping[inner].prefix(grouping[outer].count)) == grouping[outer]
        }
        return terms.indices.map { k -> LevelTable? in
            let others = terms.indices.filter { $0 != k }
            let inner = others.filter { nests($0, in: k) }, outer = others.filter { nests(k, in: $0) }
            guard inner.count + outer.count == others.count, inner.count <= 1,
                  Set(grouping.map { $0 }).count == grouping.count else { return nil }
            return table(fit, term: k, inner: inner.first, outer: outer)
        }
    }

    /// One level's table.
    public struct LevelTable: Sendable, Codable, Equatable {
        public var reliability: [Double]
        public var varianceTests: [VarianceTest]
    }

    static func table(_ fit: LinearMixedModel, term k: Int, inner m: Int?, outer: [Int]) -> LevelTable? {
        let design = fit.design, term = design.randomTerms[k], q = term.termCount, n = design.observationCount
        let sigma2 = fit.sigma * fit.sigma
        // Residuals from the fixed part and the outer levels' conditional modes, column by column.
        var r = design.y
        r.withUnsafeMutableBufferPointer { r in
            design.x.values.withUnsafeBufferPointer { x in
                for c in 0..<design.x.columns {
                    let beta = fit.beta[c], column = x.baseAddress! + c * n
                    for i in 0..<n { r[i] -= column[i] * beta }
                }
            }
            for o in outer {
                let t = design.randomTerms[o], qo = t.termCount
                let modes = fit.conditionalModes[o].flatMap { $0 }
                t.z.values.withUnsafeBufferPointer { z in
                    t.codes.withUnsafeBufferPointer { codes in
                        modes.withUnsafeBufferPointer { modes in
                            for a in 0..<qo {
                                let column = z.baseAddress! + a * n
                                for i in 0..<n { r[i] -= column[i] * modes[Int(codes[i]) * qo + a] }
                            }
                        }
                    }
                }
            }
        }
        // Per inner group h (or per row at the innermost level): Z_k'Z_k, Z_k'Z_m, Z_m'Z_m, Z_k'r, Z_m'r, flat.
        let qm = m.map { design.randomTerms[$0].termCount } ?? 0
        let innerCodes = m.map { design.randomTerms[$0].codes } ?? term.codes
        let innerCount = m.map { design.randomTerms[$0].groupCount } ?? term.groupCount
        var aFlat = [Double](repeating: 0, count: innerCount * q * q), bFlat = [Double](repeating: 0, count: innerCount * q * qm)
        var cFlat = [Double](repeating: 0, count: innerCount * qm * qm)
        var zrFlat = [Double](repeating: 0, count: innerCount * q), wrFlat = [Double](repeating: 0, count: innerCount * qm)
        var parent = [Int](repeating: 0, count: innerCount)
        let zmValues = m.map { design.randomTerms[$0].z.values } ?? [0]
        innerCodes.withUnsafeBufferPointer { inner in
        term.codes.withUnsafeBufferPointer { codes in
        parent.withUnsafeMutableBufferPointer { parent in
        term.z.values.withUnsafeBufferPointer { zk in
            zmValues.withUnsafeBufferPointer { zm in
                r.withUnsafeBufferPointer { r in
                    aFlat.withUnsafeMutableBufferPointer { aFlat in
                        bFlat.withUnsafeMutableBufferPointer { bFlat in
                            cFlat.withUnsafeMutableBufferPointer { cFlat in
                                zrFlat.withUnsafeMutableBufferPointer { zrFlat in
                                    wrFlat.withUnsafeMutableBufferPointer { wrFlat in
                                        if q == 1 && qm <= 1 {
                                            // Random intercepts (the usual nested model): scalars.
                                            for i in 0..<n {
                                                let ri = r[i], h = Int(inner[i]), zx = zk[i]
                                                parent[h] = Int(codes[i])
                                                zrFlat[h] += zx * ri
                                                aFlat[h] += zx * zx
                                                if qm == 1 {
                                                    let zy = zm[i]
                                                    bFlat[h] += zx * zy
                                                    wrFlat[h] += zy * ri
                                                    cFlat[h] += zy * zy
                                                }
                                            }
                                            return
                                        }
                                        for i in 0..<n {
                                            let ri = r[i]
                                            let h = Int(inner[i])
                                            parent[h] = Int(codes[i])
                                            for x in 0..<q {
                                                let zx = zk[i + x * n]
                                                zrFlat[h * q + x] += zx * ri
                                                for y in 0..<q { aFlat[h * q * q + x + y * q] += zx * zk[i + y * n] }
                                                for y in 0..<qm { bFlat[h * q * qm + x + y * q] += zx * zm[i + y * n] }
                                            }
                                            for x in 0..<qm {
                                                let zx = zm[i + x * n]
                                                wrFlat[h * qm + x] += zx * ri
                                                for y in 0..<qm { cFlat[h * qm * qm + x + y * qm] += zx * zm[i + y * n] }
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
        func a(_ h: Int) -> [Double] { Array(aFlat[(h * q * q)..<((h + 1) * q * q)]) }
        func b(_ h: Int) -> [Double] { Array(bFlat[(h * q * qm)..<((h + 1) * q * qm)]) }
        func c(_ h: Int) -> [Double] { Array(cFlat[(h * qm * qm)..<((h + 1) * qm * qm)]) }
        func zr(_ h: Int) -> [Double] { Array(zrFlat[(h * q)..<((h + 1) * q)]) }
        func wr(_ h: Int) -> [Double] { Array(wrFlat[(h * qm)..<((h + 1) * qm)]) }
        // Σ_h over each group g of σ⁻²[A − B M B'] and σ⁻²[Z'r − B M W'r], M = G (σ² I + C G)⁻¹.
        let g = m.map { fit.components[$0].covarianceMatrix } ?? []
        var precision = [[Double]](repeating: [Double](repeating: 0, count: q * q), count: term.groupCount)
        var score = [[Double]](repeating: [Double](repeating: 0, count: q), count: term.groupCount)
        if q == 1 && qm <= 1 {
            // Scalars: M = g / (σ² + c g), precision (a − b² M) / σ², score (z'r − b M w'r) / σ².
            let g00 = m == nil ? 0 : g[0][0]
            for h in 0..<innerCount {
                var pa = aFlat[h], sr = zrFlat[h]
                if m != nil {
                    let mm = g00 / (sigma2 + cFlat[h] * g00)
                    pa -= bFlat[h] * bFlat[h] * mm
                    sr -= bFlat[h] * mm * wrFlat[h]
                }
                precision[parent[h]][0] += pa / sigma2
                score[parent[h]][0] += sr / sigma2
            }
        }
        for h in 0..<innerCount where !(q == 1 && qm <= 1) {
            var pa = a(h), sr = zr(h)
            if m != nil {
                let bh = b(h), ch = c(h), wh = wr(h)
                var s = [Double](repeating: 0, count: qm * qm)
                for x in 0..<qm { for y in 0..<qm {
                    var v = x == y ? sigma2 : 0
                    for z in 0..<qm { v += ch[x + z * qm] * g[z][y] }
                    s[x + y * qm] = v
                } }
                guard let sInverse = SmallInverse.general(s, qm) else { return nil }
                var mm = [Double](repeating: 0, count: qm * qm)
                for x in 0..<qm { for y in 0..<qm { for z in 0..<qm { mm[x + y * qm] += g[x][z] * sInverse[z + y * qm] } } }
                for x in 0..<q {
                    for y in 0..<q {
                        var v = 0.0
                        for s1 in 0..<qm { for s2 in 0..<qm { v += bh[x + s1 * q] * mm[s1 + s2 * qm] * bh[y + s2 * q] } }
                        pa[x + y * q] -= v
                    }
                    var v = 0.0
                    for s1 in 0..<qm { for s2 in 0..<qm { v += bh[x + s1 * q] * mm[s1 + s2 * qm] * wh[s2] } }
                    sr[x] -= v
                }
            }
            let j = parent[h]
            for x in 0..<(q * q) { precision[j][x] += pa[x] / sigma2 }
            for x in 0..<q { score[j][x] += sr[x] / sigma2 }
        }
        let tau = fit.components[k].covarianceMatrix
        var reliability = [Double](repeating: 0, count: q), chi2 = [Double](repeating: 0, count: q)
        var used = 0
        for j in 0..<term.groupCount {
            guard let v = Self.smallInverse(precision[j], q) else { continue }
            used += 1
            for x in 0..<q {
                let estimate = (0..<q).reduce(0.0) { $0 + v[x + $1 * q] * score[j][$1] }
                reliability[x] += tau[x][x] / (tau[x][x] + v[x + x * q])
                chi2[x] += estimate * estimate / v[x + x * q]
            }
        }
        guard used > 0 else { return nil }
        let equationSizes = (0..<q).map { equationColumns(design, term: term, coefficient: $0) }
        return LevelTable(
            reliability: reliability.map { $0 / Double(used) },
            varianceTests: (0..<q).map { x in
                let df = used - equationSizes[x]
                return VarianceTest(chi2: chi2[x], df: df, pValue: df > 0 ? Distributions.chiSquareSurvival(chi2[x], df: Double(df)) : .nan,
                                    groupsUsed: used)
            })
    }

    /// The inverse of a small symmetric positive-definite matrix in plain loops (thousands of 1×1 and
    /// 2×2 systems here: a LAPACK call each cost more than the arithmetic), refusing near-singular ones
    /// as `GroupwiseLeastSquares.inverse` does.
    static func smallInverse(_ a: [Double], _ q: Int) -> [Double]? {
        if q == 1 { return a[0] > 0 ? [1 / a[0]] : nil }
        let scale = (0..<q).map { a[$0 + $0 * q] }.max() ?? 0
        guard scale > 0 else { return nil }
        var l = a
        guard SmallCholesky.factor(&l, n: q) else { return nil }
        let pivots = (0..<q).map { l[$0 + $0 * q] * l[$0 + $0 * q] }
        guard (pivots.min() ?? 0) > 1e-10 * scale else { return nil }
        return TriangularSolve.inverseOfProduct(l, offset: 0, stride: q, n: q, scale: 1)
    }

    /// How many fixed columns are Z_q times a variable constant within the term's groups (and zero where Z_q is).
    static func equationColumns(_ design: ModelDesign, term: RandomEffectsDesign, coefficient q: Int) -> Int {
        (0..<design.x.columns).filter { column in
            var ratio = [Double](repeating: .nan, count: term.groupCount)
            let n = design.observationCount, zv = term.z.values, xv = design.x.values
            for i in 0..<n {
                let z = zv[i + q * n], x = xv[i + column * n]
                if z == 0 { if x != 0 { return false } else { continue } }
                let value = x / z, j = Int(term.codes[i])
                let known = ratio[j]
                if known.isNaN { ratio[j] = value } else if abs(known - value) > 1e-9 * max(1, abs(value)) { return false }
            }
            return true
        }.count
    }
}

/// The inverse of a small general matrix (Gauss–Jordan with partial pivoting); nil when singular.
enum SmallInverse {
    static func general(_ a: [Double], _ n: Int) -> [Double]? {
        var m = a, inverse = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inverse[i + i * n] = 1 }
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0 + column * n]) < abs(m[$1 + column * n]) }),
                  abs(m[pivot + column * n]) > 1e-300 else { return nil }
            for j in 0..<n {
                m.swapAt(column + j * n, pivot + j * n)
                inverse.swapAt(column + j * n, pivot + j * n)
            }
            let d = m[column + column * n]
            for j in 0..<n { m[column + j * n] /= d; inverse[column + j * n] /= d }
            for i in 0..<n where i != column {
                let f = m[i + column * n]
                guard f != 0 else { continue }
                for j in 0..<n { m[i + j * n] -= f * m[column + j * n]; inverse[i + j * n] -= f * inverse[column + j * n] }
            }
        }
        return inverse
    }
}
