import HLMFormula

/// Maps the optimiser's θ to each term's relative covariance factor λ (Σ = σ² λ λ'), as lme4 does:
/// θ holds the lower triangle of λ column by column, diagonals bounded below by 0. Independent terms
/// keep only the diagonal, identity one common value; exchangeable is (scale, correlation).
public struct CovarianceParameters: Sendable {
    public struct TermLayout: Sendable {
        public var q: Int
        public var structure: CovarianceStructure
        /// Where this term's parameters start in θ.
        public var offset: Int
        public var count: Int
    }

    public let terms: [TermLayout]
    /// The length of θ.
    public let count: Int

    public init(_ designs: [RandomEffectsDesign]) {
        var layouts: [TermLayout] = []
        var offset = 0
        for design in designs {
            let q = design.termCount
            let structure = q == 1 ? CovarianceStructure.unstructured : design.covariance
            let count: Int
            switch structure {
            case .unstructured: count = q * (q + 1) / 2
            case .independent: count = q
            case .identity: count = 1
            case .exchangeable: count = 2
            }
            layouts.append(TermLayout(q: q, structure: structure, offset: offset, count: count))
            offset += count
        }
        terms = layouts
        count = offset
    }

    /// θ at the start: λ = I (correlation 0).
    public var initial: [Double] {
        terms.flatMap { term -> [Double] in
            switch term.structure {
            case .unstructured:
                var values: [Double] = []
                for j in 0..<term.q { for i in j..<term.q { values.append(i == j ? 1 : 0) } }
                return values
            case .independent: return [Double](repeating: 1, count: term.q)
            case .identity: return [1]
            case .exchangeable: return [1, 0]
            }
        }
    }

    public var lowerBounds: [Double] {
        terms.flatMap { term -> [Double] in
            switch term.structure {
            case .unstructured:
                var values: [Double] = []
                for j in 0..<term.q { for i in j..<term.q { values.append(i == j ? 0 : -.infinity) } }
                return values
            case .independent: return [Double](repeating: 0, count: term.q)
            case .identity: return [0]
            case .exchangeable: return [0, -1 / Double(term.q - 1) + 1e-9]
            }
        }
    }

    public var upperBounds: [Double] {
        terms.flatMap { term -> [Double] in
            term.structure == .exchangeable ? [.infinity, 1 - 1e-9] : [Double](repeating: .infinity, count: term.count)
        }
    }

    /// Bounds for the free parameterisation: λλ' does not change when a column of λ changes sign, so
    /// the diagonals need no bound and an optimiser can pass through 0 (MixedModels.jl 5 optimises so);
    /// only the exchangeable correlation keeps its range. `canonical` turns the optimum back into
    /// lme4's θ, diagonals ≥ 0.
    public var freeLowerBounds: [Double] {
        terms.flatMap { term -> [Double] in
            term.structure == .exchangeable ? [-.infinity, -1 / Double(term.q - 1) + 1e-9]
                : [Double](repeating: -.infinity, count: term.count)
        }
    }

    /// θ with every column of λ turned so that its diagonal is ≥ 0 (the same λλ').
    public func canonical(_ theta: [Double]) -> [Double] {
        var theta = theta
        for term in terms {
            switch term.structure {
            case .unstructured:
                var index = term.offset
                for j in 0..<term.q {
                    let length = term.q - j
                    if theta[index] < 0 { for i in index..<(index + length) { theta[i] = -theta[i] } }
                    index += length
                }
            case .independent, .identity:
                for i in term.offset..<(term.offset + term.count) { theta[i] = abs(theta[i]) }
            case .exchangeable:
                theta[term.offset] = abs(theta[term.offset])
            }
        }
        return theta
    }

    /// λ of term `k` (q×q, column-major, lower triangular), or nil when θ is outside the domain.
    public func lambda(_ theta: [Double], term k: Int) -> [Double]? {
        let term = terms[k], q = term.q
        var lambda = [Double](repeating: 0, count: q * q)
        let t = Array(theta[term.offset..<(term.offset + term.count)])
        switch term.structure {
        case .unstructured:
            var index = 0
            for j in 0..<q { for i in j..<q { lambda[i + j * q] = t[index]; index += 1 } }
        case .independent:
            for i in 0..<q { lambda[i + i * q] = t[i] }
        case .identity:
            for i in 0..<q { lambda[i + i * q] = t[0] }
        case .exchangeable:
            let (scale, rho) = (t[0], t[1])
            for j in 0..<q { for i in 0..<q { lambda[i + j * q] = scale * scale * (i == j ? 1 : rho) } }
            if scale == 0 { return [Double](repeating: 0, count: q * q) }
            guard SmallCholesky.factor(&lambda, n: q) else { return nil }
            for j in 0..<q { for i in 0..<j { lambda[i + j * q] = 0 } }
        }
        return lambda
    }

    /// For the θ index of a diagonal element of an unstructured term, the θ indices below it in its
    /// column of λ (empty for other structures).
    public func columnBelowDiagonal(index: Int) -> [Int] {
        for (k, term) in terms.enumerated() where term.structure == .unstructured {
            var position = term.offset
            for j in 0..<term.q {
                if position == index { return Array((position + 1)..<(position + term.q - j)) }
                position += term.q - j
            }
            _ = k
        }
        return []
    }

    /// Indices in θ of diagonal elements (for boundary and singularity checks), per term.
    public func diagonalIndices(term k: Int) -> [Int] {
        let term = terms[k]
        switch term.structure {
        case .unstructured:
            var indices: [Int] = [], index = term.offset
            for j in 0..<term.q {
                indices.append(index)
                index += term.q - j
            }
            return indices
        case .independent: return Array(term.offset..<(term.offset + term.q))
        case .identity, .exchangeable: return [term.offset]
        }
    }
}
