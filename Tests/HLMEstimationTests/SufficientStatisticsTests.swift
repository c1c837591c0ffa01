import Foundation
import HLMData
@testable import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Fits from summed statistics (`hlm stats`, `hlm merge`, `--streaming`) against the fit from the rows
/// and lme4's: partitions that split groups and lack factor levels, merges in any order, and every
/// damaged or mismatched file refused.
@Suite("Sufficient statistics")
struct SufficientStatisticsTests {
    static let formula = "gcse ~ lrt * schgend + (lrt | school)"

    /// gcse in three partitions: rows dealt round-robin (every school split), the third holding no
    /// boys' school (a level of schgend absent from it).
    static func partitions() throws -> [DataFrame] {
        let frame = try Fixtures.frame("gcse")
        guard case .categorical(let schgend)? = frame.column(named: "schgend")?.values else { throw StatisticsError(source: "", message: "schgend") }
        let boys = schgend.levels.firstIndex(of: "boys")!
        var keep: [[Bool]] = Array(repeating: Array(repeating: false, count: frame.rowCount), count: 3)
        for i in 0..<frame.rowCount {
            var k = i % 3
            if k == 2 && schgend.codes[i] == Int32(boys) { k = i % 2 }
            keep[k][i] = true
        }
        return keep.map { frame.filter($0) }
    }

    static func statistics(_ frames: [DataFrame], formula: String = formula) throws -> [SufficientStatistics] {
        try frames.map { frame in SufficientStatistics(try PreparedModel.partition(formula, frame: frame).design) }
    }

    static func merged(_ parts: [SufficientStatistics]) throws -> SufficientStatistics {
        try StatisticsAccumulator.merged(parts.enumerated().map { ("part\($0.offset)", $0.element) })
    }

    @Test("the merged partitions' fit equals the fit from the rows and lme4's")
    func partitionedEqualsWhole() throws {
        let parts = try Self.statistics(try Self.partitions())
        #expect(!parts[2].columns.map(\.name).contains("schgend[boys]"), "the third partition has no boys' school")
        let summed = try LinearMixedModel.fit(try Self.merged(parts), criterion: .reml)
        let whole = try LinearMixedModel.fit(try ModelFormula.parse(Self.formula).design(for: try Fixtures.frame("gcse")), criterion: .reml)
        #expect(summed.design.fixedNames == whole.design.fixedNames)
        #expect(summed.observationCount == whole.observationCount)
        #expect(Tolerance.isClose(summed.logLikelihood, whole.logLikelihood, relative: 1e-9))
        for (a, b) in zip(summed.beta, whole.beta) { #expect(Tolerance.isClose(a, b, relative: 1e-6, absolute: 1e-8)) }
        for (a, b) in zip(summed.standardErrors, whole.standardErrors) { #expect(Tolerance.isClose(a, b, relative: 1e-5)) }
        for (a, b) in zip(summed.components[0].sd, whole.components[0].sd) { #expect(Tolerance.isClose(a, b, relative: 1e-5)) }
        let reference = try #require(try ReferenceFit.all().first { $0.formula == Self.formula && $0.method == "REML" })
        #expect(summed.logLikelihood >= reference.logLik - 1e-8 * abs(reference.logLik), "at or above lme4's log-likelihood")
        #expect(summed.diagnostics.contains(.fittedFromStatistics(rows: whole.observationCount)))
        #expect(summed.design.randomTerms[0].groupSizes == whole.design.randomTerms[0].groupSizes)
    }

    @Test("merging is associative and does not depend on the order")
    func associative() throws {
        let parts = try Self.statistics(try Self.partitions())
        let left = try Self.merged([try Self.merged([parts[0], parts[1]]), parts[2]])
        let right = try Self.merged([parts[0], try Self.merged([parts[2], parts[1]])])
        #expect(left.columns == right.columns)
        #expect(left.groups == right.groups)
        #expect(left.rows == right.rows)
        for (a, b) in zip(left.xy + left.zxy + left.zz, right.xy + right.zxy + right.zz) {
            #expect(Tolerance.isClose(a, b, relative: 1e-10, absolute: 1e-9))
        }
        let a = try LinearMixedModel.fit(left, criterion: .ml), b = try LinearMixedModel.fit(right, criterion: .ml)
        #expect(Tolerance.isClose(a.logLikelihood, b.logLikelihood, relative: 1e-12))
    }

    @Test("a statistics file reads back exactly")
    func roundTrip() throws {
        let merged = try Self.merged(try Self.statistics(try Self.partitions()))
        let read = try SufficientStatistics(decoding: merged.encoded(), source: "all.stats")
        #expect(read == merged)
    }

    @Test("a file cut at every tenth of its length, or with a digit changed, is refused")
    func damagedFiles() throws {
        let bytes = Array(try Self.statistics([try Fixtures.frame("sleepstudy")], formula: "Reaction ~ Days + (Days | Subject)")[0].encoded())
        for tenth in 1..<10 {
            let cut = Data(bytes[0..<(bytes.count * tenth / 10)])
            #expect(throws: StatisticsError.self) { try SufficientStatistics(decoding: cut, source: "cut.stats") }
        }
        // A digit of a number changed: still JSON, still finite, but not the sums written.
        let text = String(decoding: bytes, as: UTF8.self)
        let range = try #require(text.range(of: "\"xy\":["))
        var flipped = Array(text.utf8)
        var k = text.utf8.distance(from: text.utf8.startIndex, to: range.upperBound.samePosition(in: text.utf8)!)
        while !(flipped[k] >= 0x31 && flipped[k] <= 0x38) { k += 1 }
        flipped[k] += 1
        let error = try #require(throws: StatisticsError.self) { try SufficientStatistics(decoding: Data(flipped), source: "flip.stats") }
        #expect(error.description.hasPrefix("flip.stats: "))
        #expect(error.message.contains("checksum"))
        // A version from the future, and a file that is not statistics at all.
        let future = text.replacingOccurrences(of: "\"version\":1", with: "\"version\":7")
        let newer = try #require(throws: StatisticsError.self) { try SufficientStatistics(decoding: Data(future.utf8), source: "new.stats") }
        #expect(newer.message.contains("newer"))
        #expect(throws: StatisticsError.self) { try SufficientStatistics(decoding: Data("{\"fixedEffects\": []}".utf8), source: "fit.json") }
    }

    @Test("a file nested a million brackets deep, or with huge counts, is refused in one line")
    func hostileFiles() throws {
        let deep = "{\"statistics\":" + String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000) + "}"
        let error = try #require(throws: StatisticsError.self) { try SufficientStatistics(decoding: Data(deep.utf8), source: "deep.stats") }
        #expect(error.description.hasPrefix("deep.stats: ") && !error.description.contains("\n"))
        // Counts that claim more than the arrays hold.
        var statistics = try Self.statistics([try Fixtures.frame("sleepstudy")], formula: "Reaction ~ Days + (Days | Subject)")[0]
        statistics.rows = Int.max
        statistics.groupRows[0] = Int.max
        #expect(throws: StatisticsError.self) { try SufficientStatistics(decoding: statistics.encoded(), source: "huge.stats") }
    }

    @Test("statistics of another model or another schema are refused, naming the file")
    func mismatches() throws {
        let frames = try Self.partitions()
        let first = try Self.statistics([frames[0]])[0]
        let other = try Self.statistics([frames[1]], formula: "gcse ~ lrt + schgend + (lrt | school)")[0]
        let error = try #require(throws: StatisticsError.self) {
            try StatisticsAccumulator.merged([("a.stats", first), ("b.stats", other)])
        }
        #expect(error.source == "b.stats")
        #expect(error.message.contains("another model"))
        var schema = try Self.statistics([frames[1]])[0]
        schema.variables = schema.variables.map { variable in
            var changed = variable
            if changed.name == "lrt" { changed.kind = "text" }
            return changed
        }
        let schemaError = try #require(throws: StatisticsError.self) {
            try StatisticsAccumulator.merged([("a.stats", first), ("c.stats", schema)])
        }
        #expect(schemaError.message.contains("schema"))
    }

    @Test("a streamed read equals the fit from the rows, whatever the block size")
    func streaming() throws {
        let whole = try LinearMixedModel.fit(try ModelFormula.parse(Self.formula).design(for: try Fixtures.frame("gcse")), criterion: .reml)
        for blockBytes in [1 << 10, 1 << 14, 1 << 24] {
            var reader = try CSVBlockReader(path: Fixtures.path("gcse.csv"), codebook: try CodebookReader().read(path: Fixtures.path("gcse.xml")),
                                            blockBytes: blockBytes)
            let (statistics, _) = try StreamingStatistics.read(&reader, formula: Self.formula)
            #expect(statistics.rows == whole.observationCount)
            let fit = try LinearMixedModel.fit(statistics, criterion: .reml)
            #expect(Tolerance.isClose(fit.logLikelihood, whole.logLikelihood, relative: 1e-9), "block of \(blockBytes) bytes")
            #expect(fit.design.fixedNames == whole.design.fixedNames)
        }
    }

    @Test("a --where filter streamed equals the filter on the rows")
    func streamingFilter() throws {
        let prepared = try PreparedModel.prepare(Self.formula, frame: try Fixtures.frame("gcse"), where: "nstu > 4")
        let whole = try LinearMixedModel.fit(prepared.design, criterion: .ml)
        var reader = try CSVBlockReader(path: Fixtures.path("gcse.csv"), codebook: try CodebookReader().read(path: Fixtures.path("gcse.xml")),
                                        blockBytes: 1 << 12)
        let (statistics, filtered) = try StreamingStatistics.read(&reader, formula: Self.formula, where: "nstu > 4")
        #expect(filtered == prepared.filteredRows)
        let fit = try LinearMixedModel.fit(statistics, criterion: .ml)
        #expect(Tolerance.isClose(fit.logLikelihood, whole.logLikelihood, relative: 1e-9))
    }

    @Test("aliased columns are dropped on the summed cross products as on the rows")
    func aliasedColumns() throws {
        // I(2 * lrt) is lrt doubled: the rows' rank check drops it, and so must the sums'.
        let formula = "gcse ~ lrt + I(2 * lrt) + (1 | school)"
        let whole = try LinearMixedModel.fit(try ModelFormula.parse(formula).design(for: try Fixtures.frame("gcse")), criterion: .reml)
        let summed = try LinearMixedModel.fit(try Self.merged(try Self.statistics(try Self.partitions(), formula: formula)), criterion: .reml)
        #expect(summed.design.droppedColumns == whole.design.droppedColumns)
        #expect(summed.design.droppedColumns == ["I(2 * lrt)"])
        #expect(Tolerance.isClose(summed.logLikelihood, whole.logLikelihood, relative: 1e-9))
    }

    @Test("groups too small for the moment estimate start at lme4's start (the sums have no rows to fall back on)")
    func noMomentStart() throws {
        // Two rows a group and a random slope: no within-group degrees of freedom for the moment estimate.
        var text = "y,x,g\n"
        var random = SeededRandom(seed: 3)
        for j in 0..<40 { for x in [0.0, 1.0] { text += "\(1 + x + random.normal()),\(x),\(j)\n" } }
        let frame = try CSVReader().read(string: text)
        let formula = "y ~ x + (x | g)"
        let summed = try LinearMixedModel.fit(try Self.merged(try Self.statistics([frame], formula: formula)), criterion: .reml)
        let whole = try LinearMixedModel.fit(try ModelFormula.parse(formula).design(for: frame), criterion: .reml)
        #expect(summed.logLikelihood >= whole.logLikelihood - 1e-7 * abs(whole.logLikelihood))
    }

    static let fuzzRegressions = Fixtures.repositoryRoot.appendingPathComponent("Tests/HLMEstimationTests/FuzzRegressions")

    @Test("statistics the fuzzer found: refused or fitted, never a crash", arguments:
        ((try? FileManager.default.contentsOfDirectory(atPath: fuzzRegressions.path)) ?? []).filter { $0.hasPrefix("statistics-") }.sorted())
    func fuzzRegression(_ name: String) throws {
        let data = try Data(contentsOf: Self.fuzzRegressions.appendingPathComponent(name))
        // As the fuzzer read it: past the checksum (as a file someone re-checksummed), then the checks after it.
        struct Unchecked: Decodable { var statistics: SufficientStatistics }
        let statistics = try JSONDecoder().decode(Unchecked.self, from: data).statistics
        let checked = Result { () throws(StatisticsError) in try statistics.validate(source: name) }
        if case .failure(let error) = checked {
            #expect(error.description.hasPrefix(name))
            return
        }
        let fit = Result { try LinearMixedModel.fit(statistics, criterion: .reml) }
        if case .success(let model) = fit { #expect(model.beta.allSatisfy { $0.isFinite }) }
    }
}
