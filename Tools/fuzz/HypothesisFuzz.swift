// libFuzzer target: arbitrary text as a --test hypothesis and as a --lincom combination against the
// coefficient names of the slides' model 3. Every input must end in rows of a hypothesis or one error line.
import Foundation

let names = ["(Intercept)", "lrt", "schgend[boys]", "schgend[girls]", "lrt:schgend[boys]", "lrt:schgend[girls]", "I(lrt^2)"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHypothesis(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    for combination in [false, true] {
        do {
            let hypothesis = try LinearHypothesis(text, names: names, combination: combination)
            precondition(hypothesis.rows.count == hypothesis.rhs.count && hypothesis.rows.allSatisfy { $0.count == names.count })
        } catch {
            precondition(!error.description.isEmpty && !error.description.contains("\n"))
        }
    }
    return 0
}
