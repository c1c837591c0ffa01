import HLMData
import HLMEstimation
import HLMFormula
import HLMReport
import HLMTestSupport

/// Fits used by the report tests.
enum ReportFixtures {
    static let slideModels = [
        "gcse ~ lrt + (1 | school)",
        "gcse ~ lrt + (lrt | school)",
        "gcse ~ lrt * schgend + (lrt | school)",
    ]

    /// The GCSE data with the slides' filter.
    static func gcse() throws -> DataFrame {
        let frame = try Fixtures.frame("gcse")
        return frame.filter(try RowFilter.parse("nstu > 4").evaluate(on: frame, expression: "nstu > 4"))
    }

    static func fit(_ formula: String, dataset: String = "gcse", criterion: ProfiledDeviance.Criterion = .ml) throws -> LinearMixedModel {
        let frame = dataset == "gcse" ? try gcse() : try Fixtures.frame(dataset)
        let model = try ModelFormula.parse(formula)
        return try LinearMixedModel.fit(try model.design(for: frame), criterion: model.method == .ml ? .ml : criterion)
    }

    static func comparison() throws -> ComparisonReport {
        let frame = try gcse()
        let designs = try ModelFormula.designs(try slideModels.map { try ModelFormula.parse($0) }, for: frame)
        var fits: [LinearMixedModel] = []
        for design in designs { fits.append(try LinearMixedModel.fit(design, criterion: .ml)) }
        return ComparisonReport(try ModelComparison(fits), originals: fits)
    }

    static func labels() throws -> VariableLabels {
        VariableLabels(codebook: try CodebookReader().read(path: Fixtures.path("gcse.xml")))
    }
}
