import HLMData
import HLMFormula
import HLMTestSupport
import Testing

/// Partition coding: every factor level a column, each column's term and levels, and the models a
/// partition cannot sum refused with the reason.
@Suite("Partition coding")
struct PartitionDesignTests {
    @Test("every level of a fixed factor has a column, and the coding recovers the fit's columns")
    func everyLevel() throws {
        let frame = try Fixtures.frame("gcse")
        let partition = try ModelFormula.parse("gcse ~ lrt * schgend + (lrt | school)").partitionDesign(for: frame)
        let inMemory = try ModelFormula.parse("gcse ~ lrt * schgend + (lrt | school)").design(for: frame)
        let names = partition.columns.map(\.name)
        #expect(names.count == inMemory.fixedNames.count + 2, "the reference level's two columns (main effect, interaction) in addition")
        let coding = PartitionCoding(columns: partition.columns, variables: partition.variables)
        let kept = try coding.modelColumns(partition.columns).map { names[$0] }
        #expect(kept == inMemory.fixedNames)
        #expect(partition.variables.first { $0.name == "schgend" }?.kind == "categorical")
    }

    @Test("a numeric code as a factor: levels sort as numbers across partitions")
    func numericLevels() throws {
        let frame = try CSVReader().read(string: "y,f,g\n1,10,1\n2,9,1\n3,10,2\n4,2,2\n5,9,3\n6,2,3\n")
        let partition = try ModelFormula.parse("y ~ factor(f) + (1 | g)").partitionDesign(for: frame)
        let coding = PartitionCoding(columns: partition.columns, variables: partition.variables)
        #expect(coding.levels["f"] == ["2", "9", "10"])
        let kept = try coding.modelColumns(partition.columns).map { partition.columns[$0].name }
        #expect(kept == ["(Intercept)", "factor(f)[9]", "factor(f)[10]"] || kept == ["(Intercept)", "f[9]", "f[10]"])
        #expect(kept == (try ModelFormula.parse("y ~ factor(f) + (1 | g)").design(for: frame)).fixedNames)
    }

    @Test("what a partition cannot sum is refused with the reason", arguments: [
        ("gcse ~ center(lrt) + (1 | school)", "whole data"),
        ("gcse ~ poly(lrt, 2) + (1 | school)", "whole data"),
        ("gcse ~ lrt + (1 | school) + (1 | schgend)", "one random-effects term"),
        ("gcse ~ lrt + (schgend | school)", "numeric random slopes"),
    ])
    func refused(formula: String, reason: String) throws {
        let frame = try Fixtures.frame("gcse")
        let error = try #require(throws: FormulaError.self) { try ModelFormula.parse(formula).partitionDesign(for: frame) }
        #expect(error.message.contains(reason), "\(error.message)")
    }
}
