import Foundation
import HLMData

/// Data simulated from known models, for benchmarks and examples (`hlm simulate`). Every generator is
/// deterministic given its seed.
public enum Simulation {
    /// Two levels with a random intercept and slope: y = 2 + 0.5 x + u0 + u1 x + e, sd(u0) = 1,
    /// sd(u1) = 0.3, corr 0.4, sd(e) = 1; groups of equal size (row i is in group i mod J).
    public static func randomSlope(rows: Int, groups: Int, seed: UInt64) -> DataFrame {
        var random = SeededRandom(seed: seed)
        let effects = (0..<groups).map { _ -> (Double, Double) in
            let a = random.normal(), b = random.normal()
            return (a, 0.3 * (0.4 * a + (1 - 0.16).squareRoot() * b))
        }
        var y = [Double](repeating: 0, count: rows), x = y
        var g = [Int32](repeating: 0, count: rows)
        for i in 0..<rows {
            let j = i % groups
            x[i] = random.normal()
            y[i] = 2 + 0.5 * x[i] + effects[j].0 + effects[j].1 * x[i] + random.normal()
            g[i] = Int32(j)
        }
        return DataFrame(columns: [
            Column(name: "y", values: .numeric(NumericColumn(y))),
            Column(name: "x", values: .numeric(NumericColumn(x))),
            Column(name: "g", values: .categorical(CategoricalColumn(codes: g, levels: (0..<groups).map { "g\($0)" }))),
        ], source: "<simulated>")
    }

    /// Crossed random intercepts at the sizes given (InstEval: 2972 students, 1128 instructors, 14
    /// departments): y = 3 + 0.2 x + a_s + b_d + c_k + e with sds 0.3, 0.5, 0.1, 1. Each row draws its levels at random.
    public static func crossed(rows: Int, levels: [Int], seed: UInt64) -> DataFrame {
        var random = SeededRandom(seed: seed)
        let sds = [0.3, 0.5, 0.1, 0.2, 0.2]
        let effects = levels.enumerated().map { k, count in (0..<count).map { _ in sds[min(k, sds.count - 1)] * random.normal() } }
        var y = [Double](repeating: 0, count: rows), x = y
        var codes = levels.map { _ in [Int32](repeating: 0, count: rows) }
        for i in 0..<rows {
            x[i] = random.normal()
            var value = 3 + 0.2 * x[i] + random.normal()
            for (k, count) in levels.enumerated() {
                // Every level is used: the first rows walk through them, the rest are drawn at random.
                let level = i < count ? i : Int(random.next() % UInt64(count))
                codes[k][i] = Int32(level)
                value += effects[k][level]
            }
            y[i] = value
        }
        var columns = [
            Column(name: "y", values: .numeric(NumericColumn(y))),
            Column(name: "x", values: .numeric(NumericColumn(x))),
        ]
        for (k, count) in levels.enumerated() {
            columns.append(Column(name: "f\(k + 1)", values: .categorical(CategoricalColumn(codes: codes[k], levels: (0..<count).map { "l\($0)" }))))
        }
        return DataFrame(columns: columns, source: "<simulated>")
    }

    /// Three levels, nested: `groups[0]` top-level units (districts), each holding `groups[1] / groups[0]`
    /// schools, rows spread evenly over schools: y = 1 + 0.5 x + v_d + u_s + e, sds 0.5, 1, 1.
    public static func nested(rows: Int, groups: [Int], seed: UInt64) -> DataFrame {
        precondition(groups.count == 2 && groups[1] >= groups[0], "nested needs [top, inner] with inner ≥ top")
        var random = SeededRandom(seed: seed)
        let top = (0..<groups[0]).map { _ in 0.5 * random.normal() }
        let inner = (0..<groups[1]).map { _ in random.normal() }
        var y = [Double](repeating: 0, count: rows), x = y
        var district = [Int32](repeating: 0, count: rows), school = district
        for i in 0..<rows {
            let s = i % groups[1], d = s % groups[0]
            x[i] = random.normal()
            y[i] = 1 + 0.5 * x[i] + top[d] + inner[s] + random.normal()
            district[i] = Int32(d)
            school[i] = Int32(s)
        }
        return DataFrame(columns: [
            Column(name: "y", values: .numeric(NumericColumn(y))),
            Column(name: "x", values: .numeric(NumericColumn(x))),
            Column(name: "district", values: .categorical(CategoricalColumn(codes: district, levels: (0..<groups[0]).map { "d\($0)" }))),
            Column(name: "school", values: .categorical(CategoricalColumn(codes: school, levels: (0..<groups[1]).map { "s\($0)" }))),
        ], source: "<simulated>")
    }
}
