extension Simulation {
    /// The columns of ``wide(rows:groups:seed:blockRows:_:)``.
    public static let wideColumns = ["y", "x1", "x2", "f", "g"]

    /// Two levels with numeric group ids and a factor coded 1–3, the model of the streaming and
    /// partitioned benchmarks, `y ~ x1 + x2 + factor(f) + (x1 | g)`: y = 1 + 0.5 x1 − 0.3 x2 + 0.4 [f=2]
    /// − 0.2 [f=3] + u0 + u1 x1 + e, sd(u0) = 1, sd(u1) = 0.3, corr 0.4, sd(e) = 1; row i in group i mod J.
    /// Given to `body` a block of at most `blockRows` rows at a time (columns as ``wideColumns``), so
    /// any number of rows is written in bounded memory; the blocks do not change the data.
    public static func wide(rows: Int, groups: Int, seed: UInt64, blockRows: Int = 1 << 20,
                            _ body: ([[Double]]) throws -> Void) rethrows {
        var random = SeededRandom(seed: seed)
        var effects = [Double](repeating: 0, count: 2 * groups)
        for j in 0..<groups {
            let a = random.normal(), b = random.normal()
            effects[2 * j] = a
            effects[2 * j + 1] = 0.3 * (0.4 * a + (1 - 0.16).squareRoot() * b)
        }
        let factorEffect = [0.0, 0.4, -0.2]
        var start = 0
        while start < rows {
            let count = min(blockRows, rows - start)
            var y = [Double](repeating: 0, count: count), x1 = y, x2 = y, f = y, g = y
            for k in 0..<count {
                let i = start + k, j = i % groups
                let level = Int(random.next() % 3)
                x1[k] = random.normal()
                x2[k] = random.normal()
                f[k] = Double(level + 1)
                g[k] = Double(j)
                y[k] = 1 + 0.5 * x1[k] - 0.3 * x2[k] + factorEffect[level] + effects[2 * j] + effects[2 * j + 1] * x1[k] + random.normal()
            }
            try body([y, x1, x2, f, g])
            start += count
        }
    }
}
