/// The random-effects covariances G_k and the residual variance σ², as the classical estimators
/// (EM, Fisher scoring, moments) work with them, with the projections each covariance structure imposes.
struct VarianceParameters {
    /// Per term, q×q column-major.
    var g: [[Double]]
    var sigma2: Double

    /// Projects a q×q matrix onto a covariance structure.
    static func project(_ s: [Double], q: Int, _ structure: CovarianceStructureKind) -> [Double] {
        var result = [Double](repeating: 0, count: q * q)
        switch structure {
        case .unstructured:
            for a in 0..<q { for b in 0..<q { result[a + b * q] = (s[a + b * q] + s[b + a * q]) / 2 } }
        case .independent:
            for a in 0..<q { result[a + a * q] = s[a + a * q] }
        case .identity:
            let mean = (0..<q).reduce(0.0) { $0 + s[$1 + $1 * q] } / Double(q)
            for a in 0..<q { result[a + a * q] = mean }
        case .exchangeable:
            let variance = (0..<q).reduce(0.0) { $0 + s[$1 + $1 * q] } / Double(q)
            var covariance = 0.0
            if q > 1 {
                for a in 0..<q { for b in 0..<q where a != b { covariance += s[a + b * q] } }
                covariance /= Double(q * (q - 1))
            }
            for a in 0..<q { for b in 0..<q { result[a + b * q] = a == b ? variance : covariance } }
        }
        return result
    }

    /// The basis matrices D_i (G_k = Σ τ_i D_i) of a structure, and the coordinates τ of a G.
    static func basis(q: Int, _ structure: CovarianceStructureKind) -> [[Double]] {
        func unit(_ pairs: [(Int, Int)]) -> [Double] {
            var d = [Double](repeating: 0, count: q * q)
            for (a, b) in pairs { d[a + b * q] = 1 }
            return d
        }
        switch structure {
        case .unstructured:
            var result: [[Double]] = []
            for b in 0..<q { for a in b..<q { result.append(a == b ? unit([(a, a)]) : unit([(a, b), (b, a)])) } }
            return result
        case .independent:
            return (0..<q).map { unit([($0, $0)]) }
        case .identity:
            return [unit((0..<q).map { ($0, $0) })]
        case .exchangeable:
            let off = (0..<q).flatMap { a in (0..<q).filter { $0 != a }.map { (a, $0) } }
            return q > 1 ? [unit((0..<q).map { ($0, $0) }), unit(off)] : [unit([(0, 0)])]
        }
    }

    static func coordinates(_ g: [Double], q: Int, _ structure: CovarianceStructureKind) -> [Double] {
        switch structure {
        case .unstructured:
            var result: [Double] = []
            for b in 0..<q { for a in b..<q { result.append(g[a + b * q]) } }
            return result
        case .independent: return (0..<q).map { g[$0 + $0 * q] }
        case .identity: return [g[0]]
        case .exchangeable: return q > 1 ? [g[0], g[1]] : [g[0]]
        }
    }
}

import HLMFormula

typealias CovarianceStructureKind = CovarianceStructure
