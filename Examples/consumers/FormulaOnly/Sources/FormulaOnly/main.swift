// Parses a model in each notation and prints its terms, using HLMFormula alone.
import HLMFormula

for text in ["gcse ~ lrt * schgend + (lrt | school)", "mixed gcse c.lrt##c.lrt || school: lrt", "gcse = b0 + b1*lrt + r; b0 = g00 + u0"] {
    do {
        let model = try ModelFormula.parse(text, groups: ["school"])
        print(model.notation.rawValue + ":", model.fixedTerms.map(\.description), model.randomTerms.map(\.description))
    } catch {
        print("error: \(error)")
    }
}
