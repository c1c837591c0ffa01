import Foundation

/// A fit is singular when a diagonal element of a term's relative covariance factor λ is below 1e-4
/// (lme4's `isSingular`: a variance at zero, or a correlation at ±1 in an unstructured term), read off
/// λ itself so that exchangeable terms (ρ → 1) count too; a correlation within 1e-4 of ±1 counts as well.
enum SingularityCheck {
    static let tolerance = 1e-4

    static func singularTerms(theta: [Double], parameters: CovarianceParameters, components: [VarianceComponent]) -> [(group: String, terms: [String])] {
        var names: [(group: String, terms: [String])] = []
        for (k, component) in components.enumerated() {
            let q = component.terms.count
            let lambdaDiagonal = parameters.lambda(theta, term: k).map { l in (0..<q).map { l[$0 + $0 * q] } } ?? []
            let atZero = parameters.diagonalIndices(term: k).contains { theta[$0] < tolerance }
                || lambdaDiagonal.contains { abs($0) < tolerance }
            let atOne = component.correlation.enumerated().contains { a, row in
                row.enumerated().contains { b, value in a != b && abs(value) > 1 - tolerance }
            }
            if atZero || atOne { names.append((component.group, component.terms)) }
        }
        return names
    }
}
