import HLMData

extension ModelDesign {
    /// The design with lme4's prior weights: row i's residual variance is σ²/wᵢ. Every estimator then
    /// works on rows scaled by √wᵢ (y, X and each Z), and the log-likelihood gains ½ Σ log wᵢ
    /// (``logWeightSum``), as lme4's does. A missing, zero, negative or infinite weight is an error
    /// naming the data row. `frame` is the frame the design was built from.
    public func weighted(by name: String, in frame: DataFrame) throws(DataError) -> ModelDesign {
        let column = try frame.requireColumn(name)
        guard case .numeric(let numbers) = column.values else {
            throw DataError.malformed(InputLocation(file: frame.source, line: 1), message: "the weights column \"\(name)\" is not numeric")
        }
        var root = [Double](repeating: 0, count: rows.count)
        var logSum = 0.0
        for (i, row) in rows.enumerated() {
            let w = numbers.values[row]
            guard !numbers.isMissing[row], w > 0, w.isFinite else {
                let what = numbers.isMissing[row] ? "missing" : "\(w)"
                throw DataError.malformed(InputLocation(file: frame.source, line: frame.dataRow(row) + 1),
                                          message: "weight \"\(name)\" is \(what) in data row \(frame.dataRow(row)); weights must be positive",
                                          hint: "drop the row with --where \"\(name) > 0\"")
            }
            root[i] = w.squareRoot()
            logSum += Foundation.log(w)
        }
        var result = self
        result.y = zip(y, root).map { $0 * $1 }
        result.x = x.scalingRows(by: root)
        for k in result.randomTerms.indices { result.randomTerms[k].z = randomTerms[k].z.scalingRows(by: root) }
        result.weights = root.map { $0 * $0 }
        result.logWeightSum = logSum
        return result
    }
}

extension Matrix {
    /// Each row multiplied by its factor.
    func scalingRows(by factors: [Double]) -> Matrix {
        var values = self.values
        for c in 0..<columns { for r in 0..<rows { values[r + c * rows] *= factors[r] } }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}

import Foundation
