import HLMFormula

/// What a linear mixed model with one random-effects term needs of its rows, as sums: each group's
/// Z_j'Z_j and Z_j'[X y], and [X y]'[X y] (`docs/statistics-format.md`). Partitions of the rows give
/// statistics that add (``merged(_:)``), keyed by level labels, not codes, so partitions that hold
/// different groups or factor levels add correctly; the fit from the sum equals the fit from the rows.
public struct SufficientStatistics: Sendable, Codable, Equatable {
    public static let formatName = "hlm-statistics"
    public static let currentVersion = 1

    public var format = formatName
    public var version = currentVersion
    /// The model as written (any notation); partitions must have the same model.
    public var formula: String
    /// The notation's grouping columns for level equations (`--groups`), part of the model.
    public var formulaGroups: [String]
    public var response: String
    /// The variables read, with their kinds: the schema partitions must share.
    public var variables: [PartitionVariable]
    /// X's columns in partition coding (every factor level its own column).
    public var columns: [PartitionColumn]
    public var groupName: String
    public var termNames: [String]
    public var covariance: CovarianceStructure
    public var covarianceIsDefault: Bool
    /// Rows summed, and rows dropped for missing values.
    public var rows: Int
    public var droppedRows: Int
    /// Subtracted from y before the sums (the rows' mean with an intercept: it spares y'y cancellation).
    public var yShift: Double
    /// Group labels, in the in-memory order.
    public var groups: [String]
    public var groupRows: [Int]
    /// Per group, Z_j'Z_j (q×q, column-major, both triangles).
    public var zz: [Double]
    /// Per group, [X y]'Z_j ((p+1)×q, column-major): X's columns, then y.
    public var zxy: [Double]
    /// [X y]'[X y] ((p+1)×(p+1), column-major, both triangles).
    public var xy: [Double]

    public var q: Int { termNames.count }
    /// X's columns plus y.
    public var width: Int { columns.count + 1 }

    /// The statistics of one partition's rows.
    public init(_ partition: PartitionDesign, formulaGroups: [String] = []) {
        let design = partition.design, term = design.randomTerms[0]
        let q = term.termCount, p = design.x.columns, r = p + 1, n = design.observationCount
        let hasIntercept = partition.columns.first?.term == -1
        yShift = hasIntercept && n > 0 ? design.y.reduce(0, +) / Double(n) : 0
        let products = CrossProducts(design, yShift: yShift)
        formula = design.formula.text
        self.formulaGroups = formulaGroups
        response = design.responseName
        variables = partition.variables
        columns = partition.columns
        groupName = term.groupName
        termNames = term.termNames
        covariance = term.covariance
        covarianceIsDefault = term.covarianceIsDefault
        rows = n
        droppedRows = design.droppedRows
        groups = term.levels
        groupRows = term.groupSizes
        var zz = [Double](repeating: 0, count: q * q * term.groupCount)
        for j in 0..<term.groupCount {
            for b in 0..<q { for a in b..<q {
                let value = products.a11[j * q * q + a + b * q]
                zz[j * q * q + a + b * q] = value
                zz[j * q * q + b + a * q] = value
            } }
        }
        self.zz = zz
        zxy = products.panelValues
        var xy = [Double](repeating: 0, count: r * r)
        for b in 0..<r { for a in b..<r {
            xy[a + b * r] = products.a22[a + b * r]
            xy[b + a * r] = products.a22[a + b * r]
        } }
        self.xy = xy
    }

    /// The same sums with y shifted by `newShift` instead of `yShift`: y − c' = (y − c) + (c − c')·1,
    /// with 1 the intercept column, so every sum with y changes by (c − c') times the same sum with 1.
    /// Without an intercept the shift stays 0.
    mutating func shift(to newShift: Double) {
        guard let i0 = columns.firstIndex(where: { $0.term == -1 }), newShift != yShift else { return }
        let d = yShift - newShift, w = width, y = w - 1, q = self.q
        let yOne = xy[y + i0 * w], oneOne = xy[i0 + i0 * w]
        for k in 0..<y {
            xy[k + y * w] += d * xy[k + i0 * w]
            xy[y + k * w] = xy[k + y * w]
        }
        xy[y + y * w] += 2 * d * yOne + d * d * oneOne
        for g in 0..<groups.count {
            for c in 0..<q { zxy[g * w * q + y + c * w] += d * zxy[g * w * q + i0 + c * w] }
        }
        yShift = newShift
    }
}
