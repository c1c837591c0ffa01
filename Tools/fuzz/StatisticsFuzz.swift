// libFuzzer target: arbitrary bytes as a statistics file (`hlm merge`, `hlm fit ALL.stats`). Every
// input must be refused in one line, or be statistics that add to themselves and fit (or fail to fit
// with an error): never a crash or a hang. Mutations break the checksum, so the content is also
// decoded past it (as a file whose checksum someone recomputed) and must pass or fail the checks after it.
import Foundation
@testable import HLMEstimation

struct Unchecked: Decodable { var statistics: SufficientStatistics }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatistics(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    var statistics: SufficientStatistics
    do {
        statistics = try SufficientStatistics(decoding: data, source: "fuzz.stats")
    } catch {
        precondition(error.description.hasPrefix("fuzz.stats: ") && !error.description.contains("\n"))
        guard let unchecked = try? JSONDecoder().decode(Unchecked.self, from: data) else { return 0 }
        statistics = unchecked.statistics
        do { try statistics.validate(source: "fuzz.stats") } catch { return 0 }
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
