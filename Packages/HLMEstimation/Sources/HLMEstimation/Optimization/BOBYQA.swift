import Foundation
import _CNLopt

/// Bound-constrained derivative-free minimisation with NLopt's BOBYQA (Powell 2009), as lme4 and
/// MixedModels.jl use it, with tight tolerances; optionally restarted from its own optimum until it stops improving.
public enum BOBYQA {
    public static func minimize(
        _ objective: @escaping ([Double]) -> Double, start: [Double], lower: [Double], upper: [Double],
        initialSteps: [Double]? = nil, restart: Bool = false, newuoa: Bool = false, tolerances: Tolerances = .tight
    ) -> OptimizationSummary {
        let n = start.count
        var x = start
        var best = objective(start)
        let initial = best
        var evaluations = 1
        var code = Int32(HLM_NLOPT_SUCCESS)
        var passRecords: [OptimizationSummary.Pass] = []
        // One pass; `restart` reruns from the optimum with a smaller first step (the caller asks for it when
        // the gradient there is not small).
        let passes: [[Double]] = restart ? [[Double](repeating: 0.05, count: n), [Double](repeating: 0.01, count: n)]
            : [initialSteps ?? [Double](repeating: 0.3, count: n)]
        for pass in passes.indices {
            let box = ObjectiveBox(objective)
            guard let optimizer = nlopt_create(Int32(newuoa ? HLM_NLOPT_LN_NEWUOA : HLM_NLOPT_LN_BOBYQA), UInt32(n)) else { break }
            defer { nlopt_destroy(optimizer) }
            if !newuoa {
                nlopt_set_lower_bounds(optimizer, lower)
                nlopt_set_upper_bounds(optimizer, upper)
            }
            tolerances.apply(to: optimizer, maxEvaluations: 100_000)
            let steps = x.indices.map { i in
                // Keep the first simplex inside the bounds.
                let step = passes[pass][i], room = upper[i] - x[i]
                return min(step, room.isFinite && room > 0 ? room / 2 : step)
            }
            nlopt_set_initial_step(optimizer, steps)
            let unmanaged = Unmanaged.passRetained(box)
            defer { unmanaged.release() }
            nlopt_set_min_objective(optimizer, { n, pointer, _, data in
                let box = Unmanaged<ObjectiveBox>.fromOpaque(data!).takeUnretainedValue()
                return box.function(Array(UnsafeBufferPointer(start: pointer, count: Int(n))))
            }, unmanaged.toOpaque())
            var candidate = x
            var value = 0.0
            code = nlopt_optimize(optimizer, &candidate, &value)
            evaluations += box.count
            passRecords.append(OptimizationSummary.Pass(evaluations: box.count, value: value, returnCode: Int(code)))
            let improved = value < best - 1e-10
            if value <= best {
                best = value
                x = candidate
            }
            if pass > 0 && !improved { break }
        }
        var summary = OptimizationSummary(
            algorithm: "NLopt BOBYQA", initialTheta: start, finalTheta: x, initialObjective: initial, finalObjective: best,
            evaluations: evaluations, returnCode: Int(code), returnMessage: message(code))
        summary.passes = passRecords
        return summary
    }

    /// When to stop: changes of the objective (absolute, relative) and of the parameters below these.
    public struct Tolerances: Sendable {
        public var objectiveAbsolute: Double
        public var objectiveRelative: Double
        public var parameterAbsolute: Double

        /// The linear fits' (tight enough that the slides' models match Stata's printed digits).
        public static let tight = Tolerances(objectiveAbsolute: 1e-12, objectiveRelative: 1e-14, parameterAbsolute: 1e-10)
        /// A generalized fit's first stage, which only starts the second (whose ``tight`` tolerances
        /// decide the optimum): −2 log L to 1e-2, θ to 1e-2. Over the six glmer goldens both stages took
        /// 956 evaluations with θ to 1e-7 (glmer's rhoend), 856 to 1e-4, 826 to 1e-2 (grouseticks 202 → 124),
        /// 920 to 1 and beyond; log-likelihoods equal to 1e-11 relative.
        public static let firstStage = Tolerances(objectiveAbsolute: 1e-2, objectiveRelative: 1e-5, parameterAbsolute: 1e-2)

        /// Sets these stopping rules, and an evaluation limit, on an NLopt optimiser.
        func apply(to optimizer: nlopt_opt, maxEvaluations: Int32) {
            nlopt_set_ftol_abs(optimizer, objectiveAbsolute)
            nlopt_set_ftol_rel(optimizer, objectiveRelative)
            nlopt_set_xtol_abs1(optimizer, parameterAbsolute)
            nlopt_set_maxeval(optimizer, maxEvaluations)
        }
    }

    static func message(_ code: Int32) -> String {
        switch Int(code) {
        case Int(HLM_NLOPT_SUCCESS): "success"
        case Int(HLM_NLOPT_FTOL_REACHED): "converged (objective tolerance)"
        case Int(HLM_NLOPT_XTOL_REACHED): "converged (parameter tolerance)"
        case Int(HLM_NLOPT_MAXEVAL_REACHED): "stopped at the evaluation limit"
        case Int(HLM_NLOPT_ROUNDOFF_LIMITED): "stopped by round-off"
        case Int(HLM_NLOPT_STOPVAL_REACHED): "reached the stop value"
        default: "failed (NLopt code \(code))"
        }
    }

    /// Whether NLopt's code means it converged.
    static func succeeded(_ code: Int) -> Bool {
        code > 0 && code != Int(HLM_NLOPT_MAXEVAL_REACHED) && code != Int(HLM_NLOPT_MAXTIME_REACHED)
    }
}

/// HLM_TRACE_OPTIMIZER=evaluations prints every evaluation (the point and the value) to standard error.
private let traceEvaluations = ProcessInfo.processInfo.environment["HLM_TRACE_OPTIMIZER"] == "evaluations"

/// Carries the Swift closure through NLopt's `void *` and counts calls.
private final class ObjectiveBox {
    let wrapped: ([Double]) -> Double
    var count = 0

    init(_ wrapped: @escaping ([Double]) -> Double) {
        self.wrapped = wrapped
    }

    func function(_ x: [Double]) -> Double {
        count += 1
        let value = wrapped(x)
        if traceEvaluations { FileHandle.standardError.write(Data("eval \(count) \(x) \(value)\n".utf8)) }
        return value.isFinite ? value : Double.greatestFiniteMagnitude
    }
}
