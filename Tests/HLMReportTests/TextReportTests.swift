import HLMEstimation
import HLMReport
import HLMTestSupport
import Testing

@Suite("Text report")
struct TextReportTests {
    /// The slides' second model in the slides' layout, with Stata's printed numbers (the snapshot holds
    /// the slides' digits; tolerance 1e-5 relative or 1e-4 absolute, as their data differ in the last digits).
    @Test func slidesModelTwoInStataLayout() throws {
        let fit = try ReportFixtures.fit("xtmixed gcse lrt || school: lrt if nstu > 4, mle nolog covariance(unstructured)")
        let text = TextRenderer().render(FitReport(fit).document)
        let problem = Snapshot.mismatch(text, named: "slides-model2.txt", relative: 1e-5, absolute: 1e-4, recordable: false)
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test("text snapshots", arguments: [
        ("sleepstudy", "Reaction ~ Days + (Days | Subject)", "sleepstudy-reml.txt"),
        ("pastes", "strength ~ 1 + (1 | batch/cask)", "pastes-reml.txt"),
        ("penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", "penicillin-reml.txt"),
    ])
    func snapshots(dataset: String, formula: String, snapshot: String) throws {
        let fit = try ReportFixtures.fit(formula, dataset: dataset, criterion: .reml)
        let problem = Snapshot.mismatch(TextRenderer().render(FitReport(fit).document), named: snapshot)
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test func diagnosticsAreShown() throws {
        let fit = try ReportFixtures.fit("gcse lrt || school: lrt, mle")
        let text = TextRenderer().render(FitReport(fit).document)
        #expect(text.contains("Notes:"))
        #expect(text.contains("covariance(independent) by Stata's default; lme4's default is unstructured"))
        #expect(text.contains("school: Independent"))
    }
}
