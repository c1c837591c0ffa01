import HLMFormula

/// The variance components a user gives for GLS (`--variance`): one entry per random-effects term, in
/// formula order, as the lower triangle of its covariance matrix row by row, then the residual variance:
/// `"school: 9.081 0.1806 0.01453; residual: 55.38"` (var(_cons), cov, var(lrt); σ²).
public struct VarianceSpecification: Sendable, Equatable {
    public var covariances: [[[Double]]]
    public var residualVariance: Double

    public init(parsing text: String, for design: ModelDesign) throws(EstimationError) {
        func fail(_ message: String) -> EstimationError {
            .badVarianceSpecification("--variance \"\(text)\": \(message)")
        }
        var entries: [(String, [Double])] = []
        for part in text.split(separator: ";") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { throw fail("expected \"name: numbers\" in \"\(part.trimmingCharacters(in: .whitespaces))\"") }
            var numbers: [Double] = []
            for word in pieces[1].split(whereSeparator: { $0 == " " || $0 == "," }) {
                guard let value = Double(word) else { throw fail("\"\(word)\" is not a number") }
                numbers.append(value)
            }
            entries.append((pieces[0].trimmingCharacters(in: .whitespaces), numbers))
        }
        guard let residual = entries.last, residual.0.lowercased() == "residual", residual.1.count == 1 else {
            throw fail("end with \"residual: σ²\"")
        }
        let terms = Array(entries.dropLast())
        guard terms.count == design.randomTerms.count else {
            throw fail("give \(design.randomTerms.count) random-effects entr\(design.randomTerms.count == 1 ? "y" : "ies") (\(design.randomTerms.map(\.groupName).joined(separator: ", "))) before the residual")
        }
        var covariances: [[[Double]]] = []
        for (entry, term) in zip(terms, design.randomTerms) {
            guard entry.0 == term.groupName else { throw fail("expected \"\(term.groupName):\", found \"\(entry.0):\"") }
            let q = term.termCount
            guard entry.1.count == q * (q + 1) / 2 else {
                throw fail("\(term.groupName) needs \(q * (q + 1) / 2) numbers (the lower triangle of its \(q)×\(q) covariance, row by row)")
            }
            var g = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
            var index = 0
            for a in 0..<q { for b in 0...a { g[a][b] = entry.1[index]; g[b][a] = entry.1[index]; index += 1 } }
            covariances.append(g)
        }
        self.covariances = covariances
        residualVariance = residual.1[0]
    }
}

import Foundation
