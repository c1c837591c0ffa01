import Foundation

/// A fit is singular when a variance is zero or a correlation is ±1 (lme4's `isSingular`, tolerance 1e-4).
enum SingularityCheck {
    static let tolerance = 1e-4

    static func singularTerms(theta: [Double], parameters: CovarianceParameters, components: [VarianceComponent]) -> [(group: String, terms: [String])] {
        var names: [(group: String, terms: [String])] = []
        for (k, component) in components.enumerated() {
            let atZero = parameters.diagonalIndices(term: k).contains { theta[$0] < tolerance }
            let atOne = component.correlation.enumerated().contains { a, row in
                row.enumerated().contains { b, value in a != b && abs(value) > 1 - tolerance }
            }
            if atZero || atOne { names.append((component.group, component.terms)) }
        }
        return names
    }
}
