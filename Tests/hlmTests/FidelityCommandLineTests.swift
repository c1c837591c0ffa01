import Foundation
import HLMTestSupport
import Testing

/// Issue 12 as users meet it on the command line: each report says what was done, pastes from Stata
/// work, and bad input is one line with exit status 2. Numbers are compared with tolerances (R's values
/// in `reference-fidelity.json`), labels by the words each report must carry.
@Suite("Fidelity on the command line")
struct FidelityCommandLineTests {
    static let gcse = Fixtures.path("gcse.csv"), sleep = Fixtures.path("sleepstudy.csv"), pastes = Fixtures.path("pastes.csv")
    static func run(_ arguments: [String]) throws -> CommandLineTests.Outcome { try CommandLineTests.run(arguments) }

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func remlLikelihoodsAreLabelledInEveryTable() throws {
        for format in ["text", "markdown", "latex"] {
            let result = try Self.run(["compare", Self.sleep, "Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)", "--format", format])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Restricted log likelihood"), "\(format)")
            #expect(result.stdout.contains("REML-based"), "\(format)")
            #expect(result.stdout.contains("42.14"), "\(format): anova's refit chi2 = 42.139")
        }
        let noRefit = try Self.run(["compare", Self.sleep, "Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)", "--no-refit"])
        #expect(!noRefit.stdout.contains("ML refits"))
    }

    @Test func everyReportSaysWhatWasDone() throws {
        let em = try Self.run(["fit", Self.gcse, "gcse ~ lrt + (lrt | school)", "--optimizer", "em"])
        let emJSON = try Self.json(["fit", Self.gcse, "gcse ~ lrt + (lrt | school)", "--optimizer", "em"])
        let converged = try #require(emJSON["converged"] as? Bool)
        #expect(em.stdout.contains("Optimizer") && em.stdout.contains("EM"))
        #expect(em.stdout.contains("not converged") == !converged)
        #expect(!(emJSON["optimizer"] as? String ?? "").hasSuffix(": converged") || converged)
        for (method, formula, extra, title) in [
            ("gls", "gcse ~ lrt + (1 | school)", ["--variance", "school: 9; residual: 56"], "GLS regression at given variance components"),
            ("swamy-arora", "gcse ~ lrt + (1 | school)", [], "Swamy-Arora"), ("swamy", "gcse ~ lrt + (lrt | school)", [], "Swamy"),
        ] {
            let result = try Self.run(["fit", Self.gcse, formula, "--method", method] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(title), "\(method)")
            #expect(!result.stdout.contains("REML regression"), "\(method)")
            #expect(try Self.json(["fit", Self.gcse, formula, "--method", method] + extra)["estimator"] as? String != "profiled likelihood")
        }
    }

    @Test func singularFitShownInEveryReport() throws {
        for format in ["text", "markdown", "latex"] {
            let result = try Self.run(["fit", Self.gcse, "gcse ~ girl + (girl | school)", "--method", "ml", "--format", format])
            #expect(result.stdout.contains("singular fit"), "\(format)")
        }
        #expect(try Self.json(["fit", Self.gcse, "gcse ~ girl + (girl | school)", "--method", "ml"])["singular"] as? Bool == true)
    }

    @Test func stataPastesAndOptions() throws {
        let pasted = try Self.run(["fit", Self.gcse, ". xtmixed gcse lrt || school: lrt if nstu > 4, ///\n> mle variance level(90) nolog"])
        #expect(pasted.status == 0, "\(pasted.stderr)")
        #expect(pasted.stdout.contains("[90% Conf."))
        #expect(pasted.stdout.contains("var(_cons)") && pasted.stdout.contains("var(Residual)"))
        let object = try Self.json(["fit", Self.gcse, "mixed gcse lrt || school: if nstu > 4, level(90)"])
        #expect(object["method"] as? String == "ML")
        #expect(object["ciLevel"] as? Double == 0.9)
        let fixed = try #require((object["fixedEffects"] as? [[String: Any]])?.first { $0["name"] as? String == "lrt" })
        let (estimate, se, lower) = (fixed["estimate"] as! Double, fixed["stdError"] as! Double, fixed["ciLower"] as! Double)
        #expect(Tolerance.isClose(estimate - lower, 1.6448536269514722 * se, relative: 1e-9), "a 90% interval")
        // --level on the command line wins, and the random-effects intervals follow it.
        let cli = try Self.json(["fit", Self.gcse, "gcse ~ lrt + (1 | school)", "--level", "99", "--method", "ml"])
        #expect(cli["ciLevel"] as? Double == 0.99)
        let robust = try Self.run(["fit", Self.gcse, "mixed gcse lrt || school:, vce(robust)"])
        #expect(robust.stdout.contains("cluster-robust"))
        let xtreg = try Self.run(["fit", Self.gcse, ". xtset school\n. xtreg gcse lrt, re"])
        #expect(xtreg.status == 0 && xtreg.stdout.contains("Swamy-Arora"), "\(xtreg.stderr)")
    }

    @Test func regressionWithoutRandomEffectsInEveryFormat() throws {
        for formula in ["gcse ~ lrt + girl", "regress gcse lrt girl"] {
            for format in ["text", "markdown", "latex"] {
                let result = try Self.run(["fit", Self.gcse, formula, "--where", "nstu > 4", "--format", format])
                #expect(result.status == 0, "\(format): \(result.stderr)")
                #expect(result.stdout.contains("OLS") || result.stdout.contains("Linear regression"), "\(format)")
            }
            let object = try Self.json(["fit", Self.gcse, formula, "--where", "nstu > 4"])
            #expect(object["estimator"] as? String == "OLS")
            #expect(Tolerance.isClose(object["logLikelihood"] as! Double, FidelityReference.number("ols", "logLik"), relative: 1e-10))
        }
    }

    @Test("the seed's special cases: every notation, every format", arguments: [
        ("random-effects ANOVA", gcse, ["gcse ~ 1 + (1 | school)", "gcse || school:", "gcse = b0 + r; b0 = g00 + u0"], ["--group", "school"]),
        ("fixed-effects interaction model", gcse, ["gcse ~ lrt * girl", "regress gcse c.lrt##c.girl", "gcse = b0 + b1*lrt + b2*girl + b3*I(lrt*girl) + r"], []),
        ("varying intercept (ANCOVA)", gcse, ["gcse ~ lrt + (1 | school)", "gcse lrt || school:", "gcse = b0 + b1*lrt + r; b0 = g00 + u0"], ["--group", "school"]),
        ("random coefficients", gcse, ["gcse ~ lrt + (lrt | school)", "gcse lrt || school: lrt, cov(unstr)", "gcse = b0 + b1*lrt + r; b0 = g00 + u0; b1 = g10 + u1"], ["--group", "school"]),
        ("additive variance components", Fixtures.path("penicillin.csv"), ["diameter ~ 1 + (1 | plate) + (1 | sample)"], []),
        ("three levels", pastes, ["strength ~ 1 + (1 | batch/cask)", "strength || batch: || cask:", "strength = pi0 + e; pi0 = b00 + r0; b00 = g000 + u00"], ["--group", "cask", "--group", "batch"]),
    ])
    func specialCases(name: String, data: String, formulas: [String], extra: [String]) throws {
        var likelihoods: [Double] = []
        for formula in formulas {
            let arguments = ["fit", data, formula] + (formula.contains("=") && !formula.contains("~") ? extra : [])
            for format in ["text", "markdown", "latex"] {
                let result = try Self.run(arguments + ["--format", format])
                #expect(result.status == 0, "\(name), \(formula), \(format): \(result.stderr)")
                #expect(!result.stdout.isEmpty)
            }
            likelihoods.append(try Self.json(arguments)["logLikelihood"] as! Double)
        }
        // The notations are one model: the same likelihood.
        for value in likelihoods { #expect(Tolerance.isClose(value, likelihoods[0], relative: 1e-9), "\(name): \(likelihoods)") }
    }

    @Test("bad input: one line, exit 2", arguments: [
        (["fit", gcse, "gcse ~ log(lrt) + (1 | school)"], "log(lrt) is outside the domain of log() at data row"),
        (["fit", gcse, "gcse ~ sqrt(lrt) + (1 | school)"], "sqrt(lrt)"),
        (["fit", Fixtures.path("sleepstudy-weights.csv"), "Reaction ~ Days + (1 | Subject)", "--weights", "Days"], "data row 1"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--level", "100"], "--level"),
        (["fit", gcse, "xtreg gcse lrt, re"], "panel variable"),
        (["fit", gcse], "Usage: hlm fit"),
        (["describe", gcse, "--format", "latex"], "not available here"),
        (["describe", gcse, "--stars"], "--stars"),
        (["fit", gcse, "gcse ~ " + String(repeating: "(", count: 30_000) + "lrt" + String(repeating: ")", count: 30_000) + " + (1 | school)"], "nests more than"),
        (["fit", gcse, "gcse ~ lrt + (1 | school)", "--where", String(repeating: "(", count: 20_000) + "nstu > 4" + String(repeating: ")", count: 20_000)], "nested more than"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 2, "\(result.stderr.prefix(300))")
        #expect(result.stderr.contains(message), "\(result.stderr.prefix(300))")
        #expect(result.stdout.isEmpty)
    }

    @Test func version() throws {
        let result = try Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    /// Help examples fit an 80-column terminal: no example is wrapped inside a quoted formula.
    @Test("help examples do not wrap mid-command", arguments: ["fit", "compare", "groups", "describe", "simulate"])
    func helpExamplesFit(command: String) throws {
        let result = try Self.run([command, "--help"])
        #expect(result.status == 0)
        let discussion = result.stdout.components(separatedBy: "USAGE:")[0]
        for line in discussion.split(separator: "\n") {
            #expect(line.count <= 80, "\(line)")
            #expect(line.filter { $0 == "\"" }.count % 2 == 0, "a quote left open: \(line)")
        }
    }
}
