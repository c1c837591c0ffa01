import HLMFormula

extension GroupwiseLeastSquares {
    /// The groups' regressions of y − Σ x_c β_c (over `fixedColumns`) from a one-term fit's cross
    /// products, without a pass over the rows: Z_j'Z_j is the fit's block, and Z_j'(y − X_f β_f) comes
    /// from its panel [Z_j'X, Z_j'(y − shift)], the shift added back through the intercept's column
    /// (Z_j'1). nil unless `deviance` holds the one-term layout of `design`.
    init?(_ deviance: ProfiledDeviance, design: ModelDesign, subtracting fixedColumns: [Int], beta: [Double]) {
        let products = deviance.products
        guard design.randomTerms.count == 1, products.order == [0] else { return nil }
        let term = design.randomTerms[0]
        let q = term.termCount, groups = term.groupCount, p = design.x.columns, r = p + 1
        guard products.q1 == q, products.groups1 == groups, products.p == p,
              products.a11.count == q * q * groups, products.panelValues.count == groups * r * q else { return nil }
        let shift = deviance.yShift
        let intercept = design.fixedNames.firstIndex(of: "(Intercept)")
        guard shift == 0 || intercept != nil else { return nil }
        var zty = [Double](repeating: 0, count: q * groups)
        products.panelValues.withUnsafeBufferPointer { panels in
            for j in 0..<groups {
                for c in 0..<q {
                    let column = panels.baseAddress! + j * r * q + c * r
                    var value = column[p]
                    if shift != 0, let intercept { value += shift * column[intercept] }
                    for f in fixedColumns { value -= column[f] * beta[f] }
                    zty[j * q + c] = value
                }
            }
        }
        self.init(termNames: term.termNames, lowerCrossProducts: products.a11, zty: zty, sizes: term.groupSizes)
    }
}
