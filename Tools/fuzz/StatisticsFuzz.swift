// libFuzzer target: arbitrary bytes as a statistics file (`hlm merge`, `hlm fit ALL.stats`). Every
// input must be refused in one line, or be statistics that add to themselves and fit (or fail to fit
// with an error): never a crash or a hang.
import Foundation
import HLMEstimation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatistics(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let statistics: SufficientStatistics
    do {
        statistics = try SufficientStatistics(decoding: data, source: "fuzz.stats")
    } catch {
        precondition(error.description.hasPrefix("fuzz.stats: ") && !error.description.contains("\n"))
        return 0
    }
    do {
        let doubled = try StatisticsAccumulator.merged([("a", statistics), ("b", statistics)])
        precondition(doubled.rows == 2 * statistics.rows)
        let fit = try LinearMixedModel.fit(statistics, criterion: .reml)
        precondition(fit.beta.count == fit.design.fixedNames.count)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
