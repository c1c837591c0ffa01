import Foundation
import HLMData
import HLMFormula
import HLMTestSupport
import Testing

@Suite("Formula parser")
struct ParserTests {
    private func fixed(_ text: String) throws -> [String] {
        let model = try ModelFormula.parse(text)
        return (model.hasIntercept ? ["1"] : []) + model.fixedTerms.map(\.description)
    }

    @Test func wilkinsonRogersOperators() throws {
        #expect(try fixed("y ~ a + b") == ["1", "a", "b"])
        #expect(try fixed("y ~ 0 + a") == ["a"])
        #expect(try fixed("y ~ a - 1") == ["a"])
        #expect(try fixed("y ~ -1 + a") == ["a"])
        #expect(try fixed("y ~ a*b") == ["1", "a", "b", "a:b"])
        #expect(try fixed("y ~ a:b + c") == ["1", "c", "a:b"])
        #expect(try fixed("y ~ (a + b + c)^2") == ["1", "a", "b", "c", "a:b", "a:c", "b:c"])
        #expect(try fixed("y ~ a*b - a:b") == ["1", "a", "b"])
        #expect(try fixed("y ~ a/b") == ["1", "a", "a:b"])
        #expect(try fixed("y ~ 1") == ["1"])
        #expect(try fixed("y ~ log(x) + I(x^2) + center(x) + cwc(x, g) + gmean(x, g)")
            == ["1", "log(x)", "I(x^2)", "center(x)", "cwc(x, g)", "gmean(x, g)"])
    }

    @Test func randomTermForms() throws {
        let model = try ModelFormula.parse("y ~ x + (1 | g) + (x | h) + (0 + x | k) + (x || m) + (1 | a/b) + (1 | c:d)")
        #expect(model.randomTerms.map(\.description) == [
            "(1 | g)", "(1 + x | h)", "(0 + x | k)", "(1 + x || m)", "(1 | a)", "(1 | a:b)", "(1 | c:d)",
        ])
    }

    @Test func stataFactorVariables() throws {
        let model = try ModelFormula.parse("mixed y ib2.f c.x#c.z i.a##i.b x2 || g: x, cov(exch) reml")
        #expect(model.fixedTerms.map(\.description) == ["f", "a", "b", "x2", "x:z", "a:b"])
        #expect(model.fixedTerms[0].predictors == [.categorical("f", base: .value("2"))])
        #expect(model.randomTerms.first?.covariance == .exchangeable)
        #expect(model.method == .reml)
        let noConstant = try ModelFormula.parse("y x, noconstant || g: x, nocons")
        #expect(!noConstant.hasIntercept)
        #expect(noConstant.randomTerms.first?.terms == [Term([.variable("x")])])
    }

    @Test func stataIfUsesWhereSyntax() throws {
        #expect(try ModelFormula.parse("y x || g: if a > 1 & b ~= 2 | c == 3").filter == "(a > 1 && b != 2 || c == 3)")
    }

    @Test func errorsPointAtThePosition() {
        func error(_ text: String) -> FormulaError? {
            do { _ = try ModelFormula.parse(text); return nil } catch { return error }
        }
        #expect(error("y ~ x + ")?.offset == 8)
        #expect(error("y ~ (x | g")?.message.contains("expected \")\"") == true)
        #expect(error("y ~ x + 3")?.offset == 8)
        #expect(error("y ~ x $ z")?.offset == 6)
        #expect(error("y ~ (0 | g)")?.message.contains("nothing in it") == true)
        #expect(error("y ~ foo(x)")?.message.contains("unknown function") == true)
        #expect(error("y x || g: x, covariance(weird)")?.message.contains("unknown covariance") == true)
        #expect(error("y x || g x")?.message.contains("group:") == true)
        #expect(error("y = b0 + lrt + r")?.message.contains("needs a coefficient") == true)
        let caret = error("y ~ x + ")?.caretDiagram
        #expect(caret == "  y ~ x + \n          ^")
    }

    @Test func dataErrors() throws {
        let frame = try Fixtures.frame("gcse")
        func error(_ text: String) -> FormulaError? {
            do { _ = try ModelFormula.parse(text).design(for: frame); return nil } catch { return error }
        }
        let unknown = error("gcse ~ lrtt + (1 | school)")
        #expect(unknown?.message == "unknown variable \"lrtt\" (did you mean \"lrt\"?)")
        #expect(unknown?.offset == 7)
        #expect(error("gcse ~ lrt + (1 | schavg)")?.message.contains("continuous numeric variable") == true)
        #expect(error("gcse ~ lrt + (schgend || school)")?.message.contains("||") == true)
        #expect(error("gcse ~ lrt + (1 | school)") == nil)
    }

    @Test func factorCodingFollowsR() throws {
        let frame = try Fixtures.frame("gcse")
        // No intercept: the factor gets every level.
        #expect(try ModelFormula.parse("gcse ~ 0 + schgend").design(for: frame).fixedNames
            == ["schgend[mixed]", "schgend[boys]", "schgend[girls]"])
        // An interaction without its main effect: indicators for every level.
        #expect(try ModelFormula.parse("gcse ~ lrt:schgend").design(for: frame).fixedNames
            == ["(Intercept)", "lrt:schgend[mixed]", "lrt:schgend[boys]", "lrt:schgend[girls]"])
        // A chosen base level.
        #expect(try ModelFormula.parse("gcse ib3.schgend || school:").design(for: frame).fixedNames
            == ["(Intercept)", "schgend[mixed]", "schgend[boys]"])
    }

    @Test func aliasedColumnsAreDropped() throws {
        let frame = try CSVReader().read(string: "y,a,b,g\n1,1,2,x\n2,2,4,x\n3,3,6,y\n5,4,8,y\n")
        let design = try ModelFormula.parse("y ~ a + b + (1 | g)").design(for: frame)
        #expect(design.fixedNames == ["(Intercept)", "a"])
        #expect(design.droppedColumns == ["b"])
    }

    @Test func missingRowsAreDroppedAndCounted() throws {
        let frame = try CSVReader().read(string: "y,x,g\n1,1,a\n2,NA,a\nNA,3,b\n4,4,b\n5,5,\n6,,c\n")
        let design = try ModelFormula.parse("y ~ log(x) + (1 | g)").design(for: frame)
        #expect(design.observationCount == 2)
        #expect(design.droppedRows == 4)
    }

    /// A value outside a function's domain is an error naming the function, the column and the row (as R's
    /// lm stops), never a row dropped as if it were missing.
    @Test("log and sqrt outside their domain", arguments: [("log(x)", "-1.0"), ("sqrt(x)", "-1.0"), ("log(x + 1)", "-1.0"), ("I(1/x)", "0.0")])
    func undefinedTransformIsAnError(formula: String, value: String) throws {
        let x = value == "0.0" ? "0" : "-1"
        let frame = try CSVReader().read(string: "y,x,g\n1,1,a\n2,NA,a\n4,4,b\n6,\(x),c\n5,2,c\n")
        do {
            _ = try ModelFormula.parse("y ~ \(formula) + (1 | g)").design(for: frame)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains(formula))
            #expect(error.message.contains("data row 4"))
            #expect(error.message.contains("x = \(value)"))
        }
    }

    @Test func randomStringsNeverCrash() {
        let alphabet = Array("yx ~+-*/:^()|,=;#.0123ib_gu  ||##abcβγ\"'")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<TestLevel.count(5_000, thorough: 200_000) {
            let length = Int.random(in: 0...24, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            _ = try? ModelFormula.parse(text)
            _ = try? ModelFormula.parse(text, groups: ["g"])
        }
    }
}

/// Formulas the fuzzer found to hang or crash (Tools/fuzz/run.sh formula), kept as regressions.
@Suite("Formula fuzz regressions")
struct FormulaFuzzRegressionTests {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/HLMDataTests/FuzzRegressions")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("formula-") }.sorted()
    }

    /// Inputs that hung (2^k terms, 3^k columns) or crashed (an Int overflow): each now ends in an
    /// error or a model within a second, as the fuzz target drives them (parse, then resolve on small data).
    @Test("ends quickly", arguments: inputs)
    func endsQuickly(_ name: String) throws {
        let text = String(decoding: try Data(contentsOf: Self.directory.appendingPathComponent(name)), as: UTF8.self)
        var csv = "y,x,z,g,h,f\n"
        for i in 0..<24 { csv += "\(Double(i % 7) + 0.5 * Double(i)),\(i % 5),\(Double(i) / 3),g\(i % 4),h\(i % 3),\(i % 2 == 0 ? "a" : "b")\n" }
        let frame = try CSVReader().read(string: csv)
        let start = Date()
        if let model = try? ModelFormula.parse(text, groups: ["g", "h"]) { _ = try? model.design(for: frame) }
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func expansionsAreCapped() {
        #expect(throws: FormulaError.self) { try ModelFormula.parse("y ~ (a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t)^20") }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("y ~ a*b*c*d*e*f*g*h*i*j*k*l*m + (1 | g)") }
        #expect(throws: FormulaError.self) { try ModelFormula.parse("y a##b##c##d##e##f##g##h##i##j##k || g:") }
        #expect((try? ModelFormula.parse("y ~ a*b*c*d + (1 | g)"))?.fixedTerms.count == 15)
    }
}
