import Foundation
import HLMFormula

/// The lower Cholesky factor L of the penalised system, in two blocks:
/// L₁₁ block diagonal (one q₁×q₁ block per group of the first term), L₂₁ as one compact panel per group
/// (the rest rows that group meets, see ``CrossProducts``), L₂₂ dense R × R (the further terms, X and y).
/// The last row of L holds the y part: its last entry is √(penalised RSS).
struct BlockedFactor {
    var l11: [Double]
    /// Panel values, laid out as `CrossProducts.panelValues`.
    var l21: [Double]
    var l22: [Double]
    let r: Int
    let q1: Int
    let groups1: Int
    let zRest: Int
    let p: Int
    /// For a large dense block on a machine with several cores: the thread the work of each
    /// evaluation is split with (the dense factorisation and the downdate before it).
    let threads: SecondThread?
    /// The sparse factorisation of the rest block, where the design's fill makes it the faster one
    /// (scalar further terms only); nil for the dense L₂₂.
    let sparse: SparseRestFactor?
    /// The rows of further vector terms, for the dense L₂₂ (nil without such terms).
    let vectorRows: VectorTermRows?
    /// Bytes the rest block's factorisation needs (two dense copies, or the sparse factor's estimate).
    let memoryNeeded: Double
    /// What a fit may use: 80% of the machine's memory, or `HLM_MEMORY_LIMIT` bytes when set.
    static var availableMemory: Double {
        if let limit = ProcessInfo.processInfo.environment["HLM_MEMORY_LIMIT"].flatMap(Double.init) { return limit }
        return 0.8 * Double(ProcessInfo.processInfo.physicalMemory)
    }
    /// Whether the factorisation fits in ``availableMemory`` (it is not allocated otherwise).
    var fitsInMemory: Bool { sparse != nil ? memoryNeeded <= Self.availableMemory : !l22.isEmpty }

    /// Dense blocks at least this large are split between two threads (below it, handing work over
    /// costs more than it saves).
    static let parallelRestCount = 400

    /// The rest block's factorisation: sparse when the further terms are scalar and CHOLMOD's analysis
    /// of the pattern predicts a quarter or less of the dense flops (``SparseRestFactor/beatsDense``).
    /// `HLM_FACTOR=dense` or `sparse` overrides the choice (for comparisons and tests).
    static func sparseRest(_ products: CrossProducts) -> SparseRestFactor? {
        guard products.order.count > 1, products.restCoefficient.allSatisfy({ $0 == 0 }) else { return nil }
        let choice = ProcessInfo.processInfo.environment["HLM_FACTOR"]
        if choice == "dense" && !products.a22.isEmpty { return nil }
        if choice != "sparse" && !products.a22.isEmpty {
            // The panels' pairs of further-term rows (with repeats) against the lower triangle: where they
            // would fill half of it, the block is dense and the analysis (~0.1 s at InstEval's size) is skipped.
            let zRest = products.xOffset, xy = products.restCount - zRest
            var pairs = 0
            for j in 0..<products.groups1 {
                let m = products.panelStart[j + 1] - products.panelStart[j] - xy
                pairs += m * (m + 1) / 2
            }
            if pairs > zRest * zRest / 4 { return nil }
        }
        guard let sparse = SparseRestFactor(products: products) else { return nil }
        return choice == "sparse" || sparse.beatsDense || products.a22.isEmpty ? sparse : nil
    }

    init(products: CrossProducts, design: ModelDesign, parallelRestCount: Int = Self.parallelRestCount,
         parallelGroups: Int = Self.parallelGroups) {
        r = products.restCount
        q1 = products.q1
        groups1 = products.groups1
        zRest = products.xOffset
        p = products.p
        l11 = products.a11
        l21 = products.panelValues
        sparse = Self.sparseRest(products)
        let rest = Double(products.restCount)
        memoryNeeded = sparse?.memoryEstimate ?? 2 * rest * rest * 8
        l22 = sparse == nil && memoryNeeded <= Self.availableMemory ? products.denseA22() : []
        vectorRows = sparse == nil ? VectorTermRows(products: products, design: design) : nil
        // Two threads for a large dense block, or for a one-term model's many groups.
        let splits = r >= parallelRestCount || (products.order.count == 1 && products.groups1 >= parallelGroups)
        threads = splits && ProcessInfo.processInfo.activeProcessorCount > 1 ? SecondThread() : nil
    }

    /// (L L')⁻¹ of L₂₂'s leading n × n block (dense path), n × n column-major: NaN where dpotri fails,
    /// which on a positive-definite block happens only with non-finite input.
    func inverseOfLeadingBlock(_ n: Int) -> [Double] {
        var inverse = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in j..<n { inverse[i + j * n] = l22[i + j * r] } }
        if !DenseCholesky.invertFromFactor(&inverse, n: n) { inverse = [Double](repeating: .nan, count: n * n) }
        return inverse
    }

    /// The dense factorisation of L₂₂: on two threads when the factor has them.
    private mutating func factorRest() -> Bool {
        guard let threads else { return DenseCholesky.factor(&l22, n: r) }
        let n = r
        return l22.withUnsafeMutableBufferPointer { ParallelCholesky.factor($0.baseAddress!, n: n, threads: threads) }
    }

    /// Whether L₁₁ and L₂₁ hold the last update's blocks (one-term updates may skip storing them).
    private(set) var blocksStored = false
    /// Σ log of L₁₁'s diagonal at the last update.
    var logDiagonal11 = 0.0

    /// Refactors at the given λ's (in the products' term order). False if a block is not positive definite.
    /// `keepsBlocks: false` lets a one-term update skip writing L₁₁ and L₂₁: the criterion needs only
    /// their determinant and the downdate (an optimiser's evaluations), the estimates need them whole.
    mutating func update(products: CrossProducts, lambdas: [[Double]], design: ModelDesign, keepsBlocks: Bool = true) -> Bool {
        guard fitsInMemory else { return false }
        if products.order.count == 1 {
            blocksStored = keepsBlocks
            return updateSingleTerm(products: products, lambda: lambdas[0], keepsBlocks: keepsBlocks)
        }
        blocksStored = true
        let lambda1 = lambdas[0]
        let q1 = self.q1, r = self.r
        // Copy the cross products into the factor's own buffers (no reallocation per evaluation).
        Self.copy(products.a11, into: &l11)
        Self.copy(products.panelValues, into: &l21)
        var ok = true
        var logDiagonal = LogProduct()
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * q1 * q1 + q1)
        defer { scratch.deallocate() }
        lambda1.withUnsafeBufferPointer { lambdaPointer in
            let lambda = lambdaPointer.baseAddress!
            l11.withUnsafeMutableBufferPointer { l11p in
                l21.withUnsafeMutableBufferPointer { l21p in
                    for j in 0..<groups1 {
                        let block = l11p.baseAddress! + j * q1 * q1
                        // λ' A λ + I, with A symmetric (lower triangle stored).
                        Self.congruence(block, lambda, q1, scratch)
                        // L₂₁ panel: (A₂₁ λ₁) L₁₁⁻ᵀ.
                        let panel = l21p.baseAddress! + products.panelValueStart[j]
                        let height = products.panelStart[j + 1] - products.panelStart[j]
                        guard Self.factorFirstTermBlock(block, panel: panel, height: height, lambda: lambda, q1, scratch,
                                                        logDiagonal: &logDiagonal) else { ok = false; return }
                    }
                }
            }
        }
        guard ok else { return false }
        // Λ' on the rows of further terms (left) in L₂₁ and both sides in A₂₂, + I, − Σ_j P_j P_j'.
        let scale = restScale(products: products, lambdas: lambdas, design: design)
        if let sparse {
            scalePanelRows(products: products, scale: scale, lambdas: lambdas, design: design)
            logDiagonal11 = logDiagonal.value
            return factorSparseRest(products, scale: scale, sparse: sparse)
        }
        scalePanelRows(products: products, scale: scale, lambdas: lambdas, design: design)
        // Each column of L₂₂ is filled and downdated while it is in cache, vector terms' rows scaled
        // by 1; their Λ is applied to those rows and columns after.
        subtractPanelProducts(products, fillingWith: scale)
        if let vectorRows {
            l22.withUnsafeMutableBufferPointer { vectorRows.correct($0.baseAddress!, r: r, scale: scale, lambdas: lambdas) }
        }
        logDiagonal11 = logDiagonal.value
        return factorRest()
    }

    /// `target` ← `source` (same length), reusing `target`'s storage.
    static func copy(_ source: [Double], into target: inout [Double]) {
        precondition(source.count == target.count, "buffer sizes differ")
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in t.baseAddress!.update(from: s.baseAddress!, count: s.count) }
        }
    }

    /// log |L_Z|² over the random-effects part.
    var logDeterminantZ: Double {
        if let sparse { return 2 * (logDiagonal11 + sparse.logDiagonal) }
        var sum = logDiagonal11
        for i in 0..<zRest { sum += log(l22[i + i * r]) }
        return 2 * sum
    }

    /// log |L_X|² over the fixed-effects part.
    var logDeterminantX: Double {
        if let sparse {
            let m = sparse.xy
            return 2 * (0..<p).reduce(0.0) { $0 + log(sparse.lxx[$1 + $1 * m]) }
        }
        var sum = 0.0
        for i in zRest..<(zRest + p) { sum += log(l22[i + i * r]) }
        return 2 * sum
    }

    /// The penalised residual sum of squares: the square of L's last diagonal entry.
    var penalizedResidualSumOfSquares: Double {
        if let sparse {
            let m = sparse.xy, last = sparse.lxx[(m - 1) + (m - 1) * m]
            return last * last
        }
        let last = l22[(r - 1) + (r - 1) * r]
        return last * last
    }
}

extension BlockedFactor {
    /// The further terms' spherical random effects, then β (the rest block's unknowns, in rest order).
    var restSolution: [Double] {
        if let sparse { return sparse.restSolution(p: p) }
        let m = zRest + p
        var v = (0..<m).map { l22[(r - 1) + $0 * r] }
        TriangularSolve.backward(l22, offset: 0, stride: r, n: m, &v)
        return v
    }

    /// scale · (L_X L_X')⁻¹, p×p column-major: vcov(β) for scale σ².
    func betaCovariance(scale: Double) -> [Double] {
        if let sparse { return TriangularSolve.inverseOfProduct(sparse.lxx, offset: 0, stride: sparse.xy, n: p, scale: scale) }
        return TriangularSolve.inverseOfProduct(l22, offset: zRest + zRest * r, stride: r, n: p, scale: scale)
    }
}

/// A sum of logarithms taken as products in runs, one log per run rather than one per term. For the
/// diagonal of L₁₁, whose entries are ≥ 1 (pivots of λ'Aλ + I); a run is flushed before it could
/// overflow, and extreme terms are logged alone.
struct LogProduct {
    private var sum = 0.0
    private var product = 1.0

    @inline(__always)
    mutating func add(_ value: Double) {
        if value > 1e100 || value < 1e-100 {
            sum += log(value)
            return
        }
        product *= value
        if product > 1e200 || product < 1e-200 {
            sum += log(product)
            product = 1
        }
    }

    var value: Double { sum + log(product) }
}
