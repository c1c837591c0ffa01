import Foundation
import HLMEstimation

/// A figure before it is drawn: panels of points, horizontal intervals, arrows and a reference line,
/// rendered as SVG (``SVGRenderer``) or TikZ/pgfplots (``TikZRenderer``). Built from a fit by the kinds
/// of `hlm plot`: lme4's dotplot of the random effects (caterpillar), residuals against fitted values,
/// normal QQ plots, and shrinkage (each group's OLS estimate joined to its EB estimate).
public struct Figure: Sendable, Equatable {
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var points: [Point]
        /// Horizontal intervals at a point's y (caterpillar: mode ± z·condSD).
        public var intervals: [Interval] = []
        /// Arrows from one point to another (shrinkage).
        public var arrows: [Arrow] = []
        /// Plain line segments (each group's fitted line).
        public var segments: [Arrow] = []
        /// y = intercept + slope·x across the panel (QQ: the line through the quartiles; residuals: 0).
        public var line: (intercept: Double, slope: Double)? = nil
        /// Category names for the y axis (the caterpillar's levels, bottom to top); empty: numeric.
        public var yCategories: [String] = []

        public static func == (a: Panel, b: Panel) -> Bool {
            a.title == b.title && a.points == b.points && a.intervals == b.intervals && a.arrows == b.arrows && a.segments == b.segments
                && a.line?.intercept == b.line?.intercept && a.line?.slope == b.line?.slope && a.yCategories == b.yCategories
        }
    }

    public struct Point: Sendable, Equatable { public var x: Double; public var y: Double }
    public struct Interval: Sendable, Equatable { public var low: Double; public var high: Double; public var y: Double }
    public struct Arrow: Sendable, Equatable { public var from: Point; public var to: Point }

    public enum Kind: String, Sendable, CaseIterable {
        case caterpillar, shrinkage, residuals, qq, lines
    }

    public var title: String
    public var panels: [Panel]

    /// The figure of `kind` for a fit; `labels` name the axes from the codebook.
    public static func make(_ kind: Kind, fit: LinearMixedModel, labels: VariableLabels = VariableLabels(), level: Double = 0.95) throws -> Figure {
        switch kind {
        case .caterpillar: return try caterpillar(fit, labels: labels, level: level)
        case .residuals: return residuals(fit, labels: labels)
        case .qq: return try qq(fit, labels: labels)
        case .shrinkage: return try shrinkage(fit, labels: labels)
        case .lines: return try lines(fit, labels: labels)
        }
    }

    /// One panel per term of each random-effects factor: the conditional modes sorted, with intervals.
    static func caterpillar(_ fit: LinearMixedModel, labels: VariableLabels, level: Double) throws -> Figure {
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var panels: [Panel] = []
        for table in try fit.randomEffects() {
            for (a, term) in table.terms.enumerated() {
                let order = table.levels.indices.sorted { table.levels[$0].mode[a] < table.levels[$1].mode[a] }
                var panel = Panel(title: "\(labels.group(table.group)): \(labels.coefficient(term))", xLabel: "Conditional mode, \(NumberFormatting.percent(level)) interval",
                                  yLabel: labels.group(table.group), points: [])
                for (rank, index) in order.enumerated() {
                    let level = table.levels[index], mode = level.mode[a], sd = level.condSD[a]
                    panel.points.append(Point(x: mode, y: Double(rank)))
                    panel.intervals.append(Interval(low: mode - z * sd, high: mode + z * sd, y: Double(rank)))
                }
                panel.yCategories = order.map { table.levels[$0].level }
                panel.line = nil
                panels.append(panel)
            }
        }
        return Figure(title: "Random effects", panels: panels)
    }

    /// Residuals (conditional on the random effects) against fitted values, with the zero line.
    static func residuals(_ fit: LinearMixedModel, labels: VariableLabels) -> Figure {
        let rows = fit.fittedRows()
        var panel = Panel(title: "Residuals against fitted values", xLabel: "Fitted \(labels.variable(fit.design.responseName))",
                          yLabel: "Residual", points: rows.map { Point(x: $0.fitted, y: $0.residual) })
        panel.line = (0, 0)
        return Figure(title: "Residuals", panels: [panel])
    }

    /// Normal QQ plots of the residuals and of each term's conditional modes, each with the line through
    /// its quartiles.
    static func qq(_ fit: LinearMixedModel, labels: VariableLabels) throws -> Figure {
        var panels = [qqPanel(fit.fittedRows().map(\.residual), title: "Residuals")]
        for table in try fit.randomEffects() {
            for (a, term) in table.terms.enumerated() {
                panels.append(qqPanel(table.levels.map { $0.mode[a] }, title: "\(labels.group(table.group)): \(labels.coefficient(term))"))
            }
        }
        return Figure(title: "Normal QQ plots", panels: panels)
    }

    static func qqPanel(_ values: [Double], title: String) -> Panel {
        let sorted = values.sorted(), n = sorted.count
        let theoretical = (0..<n).map { Distributions.normalQuantile((Double($0) + 0.5) / Double(n)) }
        var panel = Panel(title: title, xLabel: "Normal quantile", yLabel: "Sample quantile",
                          points: zip(theoretical, sorted).map { Point(x: $0, y: $1) })
        if n >= 4 {
            let q1 = sorted[n / 4], q3 = sorted[(3 * n) / 4]
            let z1 = Distributions.normalQuantile(0.25), z3 = Distributions.normalQuantile(0.75)
            let slope = (q3 - q1) / (z3 - z1)
            panel.line = (q1 - slope * z1, slope)
        }
        return panel
    }

    /// Each group's own OLS estimate and its EB estimate, joined by an arrow: for one coefficient
    /// against the group's index; for two (intercept and slope), in their plane (MixedModelsMakie's).
    static func shrinkage(_ fit: LinearMixedModel, labels: VariableLabels) throws -> Figure {
        guard let estimates = GroupEstimates(fit) else {
            throw EstimationError.unsupported("a shrinkage plot needs one random-effects term, whose groups have their own OLS fits")
        }
        let groups = estimates.groups.filter { $0.ols?.allSatisfy(\.isFinite) == true }
        let names = estimates.terms.map { labels.coefficient($0) }
        if estimates.terms.count >= 2 {
            var panel = Panel(title: "Shrinkage: OLS to EB", xLabel: names[0], yLabel: names[1], points: [])
            for g in groups {
                let from = Point(x: g.ols![0], y: g.ols![1]), to = Point(x: g.empiricalBayes[0], y: g.empiricalBayes[1])
                panel.points.append(to)
                panel.arrows.append(Arrow(from: from, to: to))
            }
            return Figure(title: "Shrinkage", panels: [panel])
        }
        var panel = Panel(title: "Shrinkage: OLS to EB", xLabel: labels.group(estimates.group), yLabel: names[0], points: [])
        for (index, g) in groups.enumerated() {
            let to = Point(x: Double(index), y: g.empiricalBayes[0])
            panel.points.append(to)
            panel.arrows.append(Arrow(from: Point(x: Double(index), y: g.ols![0]), to: to))
        }
        return Figure(title: "Shrinkage", panels: [panel])
    }
}

extension Figure {
    /// Each group's fitted line (its EB intercept and slope) over the data, as the slides' per-school
    /// regressions: the first random-effects term's first predictor on x, the response on y.
    static func lines(_ fit: LinearMixedModel, labels: VariableLabels) throws -> Figure {
        let design = fit.design
        guard let term = design.randomTerms.first, let slope = term.termNames.firstIndex(where: { $0 != "(Intercept)" }) else {
            throw EstimationError.unsupported("a lines plot needs a random slope on a predictor (e.g. (lrt | school))")
        }
        let n = design.observationCount, name = term.termNames[slope]
        let x = (0..<n).map { term.z.values[$0 + slope * n] }
        let root = design.weights?.map { $0.squareRoot() }
        let y = (0..<n).map { design.y[$0] / (root?[$0] ?? 1) + (design.offset?[$0] ?? 0) }
        var panel = Panel(title: "Each \(labels.group(term.groupName))'s fitted line", xLabel: labels.coefficient(name),
                          yLabel: labels.variable(design.responseName), points: zip(x, y).map { Point(x: $0, y: $1) })
        let intercept = term.termNames.firstIndex(of: "(Intercept)")
        let coefficients = fit.groupCoefficients[0]
        var low = [Double](repeating: .infinity, count: term.groupCount), high = [Double](repeating: -.infinity, count: term.groupCount)
        for i in 0..<n { let g = Int(term.codes[i]); low[g] = min(low[g], x[i]); high[g] = max(high[g], x[i]) }
        // Other predictors at their means: the line's height is the group's fitted value there.
        let means = (0..<design.x.columns).map { c in (0..<n).reduce(0.0) { $0 + design.x.values[$1 + c * n] } / Double(n) }
        for g in 0..<term.groupCount where low[g].isFinite {
            let b = coefficients[g]
            var level = intercept.map { b[$0] } ?? 0
            for (c, fixedName) in design.fixedNames.enumerated() where fixedName != "(Intercept)" && fixedName != name && !term.termNames.contains(fixedName) {
                level += fit.beta[c] * means[c]
            }
            let from = Point(x: low[g], y: level + b[slope] * low[g]), to = Point(x: high[g], y: level + b[slope] * high[g])
            panel.segments.append(Arrow(from: from, to: to))
        }
        return Figure(title: "Fitted lines", panels: [panel])
    }
}

/// Axis ranges and ticks shared by the renderers.
struct AxisScale {
    let low: Double, high: Double
    let ticks: [Double]

    /// A range covering `values` with a little room, and about five round ticks.
    init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { low -= 1; high += 1 }
        let room = (high - low) * 0.05
        low -= room
        high += room
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var tick = ceil(low / step) * step
        while tick <= high + step * 1e-9 { ticks.append(abs(tick) < step * 1e-9 ? 0 : tick); tick += step }
        self.low = low
        self.high = high
        self.ticks = ticks
    }

    func fraction(_ value: Double) -> Double { (value - low) / (high - low) }

    static func label(_ value: Double) -> String {
        let text = String(format: "%.4g", value)
        return text == "-0" ? "0" : text
    }
}
