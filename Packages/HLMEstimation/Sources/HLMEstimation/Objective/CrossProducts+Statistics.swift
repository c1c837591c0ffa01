extension CrossProducts {
    /// A one-term model's cross products given as sums (``SufficientStatistics``) rather than formed
    /// from rows: `a11` each group's q₁×q₁ block and `a22` the (p+1)×(p+1) block of X and y, lower
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
        (panelStart, panelValueStart, panelRows) = Self.oneTermPanels(groups: groups, r: r, q1: q1)
        (rowEntryStart, rowEntryGroup, rowEntryPosition) = ([], [], [])
        downdateMiddle = r
        (a22Start, a22Rows, a22Values) = ([], [], [])
    }
}
