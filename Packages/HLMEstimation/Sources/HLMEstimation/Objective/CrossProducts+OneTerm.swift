extension CrossProducts {
    /// A one-term model's cross products, formed from its rows (``singleTerm``) or given as sums
    /// (``SufficientStatistics``): `a11` each group's q₁×q₁ block and `a22` the (p+1)×(p+1) block of X and y, lower
    /// triangles column-major; `panels` each group's (p+1)×q₁ block of Z'[X y], column-major.
    init(oneTerm q1: Int, groups: Int, p: Int, n: Int, a11: [Double], a22: [Double], panels: [Double]) {
        let r = p + 1
        precondition(a11.count == q1 * q1 * groups && a22.count == r * r && panels.count == groups * r * q1)
        order = [0]
        self.q1 = q1
        groups1 = groups
        self.n = n
        self.p = p
        restOffsets = []
        restTerm = []
        restCoefficient = []
        xOffset = 0
        restCount = r
        self.a11 = a11
        self.a22 = a22
        panelValues = panels
        // Every group's panel is X and y: r rows of q₁ columns.
        var rows = [Int32](repeating: 0, count: groups * r)
        for g in 0..<groups { for k in 0..<r { rows[g * r + k] = Int32(k) } }
        (panelStart, panelValueStart, panelRows) = ((0...groups).map { $0 * r }, (0...groups).map { $0 * r * q1 }, rows)
        (rowEntryStart, rowEntryGroup, rowEntryPosition) = ([], [], [])
        (a22Start, a22Rows, a22Values) = ([], [], [])
    }
}
