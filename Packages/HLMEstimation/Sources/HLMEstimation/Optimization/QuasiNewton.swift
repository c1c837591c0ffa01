import Foundation
import _CNLopt

/// Bound-constrained minimisation with an analytic gradient: NLopt's quasi-Newton methods (L-BFGS by
/// default), for criteria whose gradient costs little more than their value
/// (``ProfiledDeviance/valueAndGradient(_:)``). `HLM_QUASI_NEWTON=lbfgs|slsqp|var2|tnewton|mma` picks one.
public enum QuasiNewton {
    public static func minimize(
        _ objective: @escaping ([Double]) -> (value: Double, gradient: [Double])?, start: [Double], lower: [Double], upper: [Double],
        tolerances: BOBYQA.Tolerances = .tight
    ) -> OptimizationSummary {
        let n = start.count
        let choice = ProcessInfo.processInfo.environment["HLM_QUASI_NEWTON"] ?? "lbfgs"
        let (algorithm, name): (Int32, String) = switch choice {
        case "slsqp": (Int32(HLM_NLOPT_LD_SLSQP), "NLopt SLSQP")
        case "var2": (Int32(HLM_NLOPT_LD_VAR2), "NLopt VAR2")
        case "tnewton": (Int32(HLM_NLOPT_LD_TNEWTON_PRECOND_RESTART), "NLopt TNEWTON")
        case "mma": (Int32(HLM_NLOPT_LD_MMA), "NLopt MMA")
        default: (Int32(HLM_NLOPT_LD_LBFGS), "NLopt L-BFGS")
        }
        let box = GradientBox(objective)
        var x = start
        var value = Double.infinity
        var code = Int32(HLM_NLOPT_FAILURE)
        if let optimizer = nlopt_create(algorithm, UInt32(n)) {
            defer { nlopt_destroy(optimizer) }
            nlopt_set_lower_bounds(optimizer, lower)
            nlopt_set_upper_bounds(optimizer, upper)
            tolerances.apply(to: optimizer, maxEvaluations: 10_000)
            let unmanaged = Unmanaged.passRetained(box)
            defer { unmanaged.release() }
            nlopt_set_min_objective(optimizer, { n, pointer, gradient, data in
                let box = Unmanaged<GradientBox>.fromOpaque(data!).takeUnretainedValue()
                return box.function(Array(UnsafeBufferPointer(start: pointer, count: Int(n))), gradient)
            }, unmanaged.toOpaque())
            var candidate = x
            var found = 0.0
            code = nlopt_optimize(optimizer, &candidate, &found)
            // NLopt returns its best point; a failure after progress still leaves a usable one.
            if box.bestValue < value {
                x = box.bestPoint
                value = box.bestValue
            }
        }
        // NLopt's first call is at the start.
        let initial = box.firstValue ?? objective(start)?.value ?? .infinity
        if box.count == 0 { value = initial }
        var summary = OptimizationSummary(
            algorithm: name, initialTheta: start, finalTheta: x, initialObjective: initial, finalObjective: value,
            evaluations: max(box.count, 1), returnCode: Int(code), returnMessage: BOBYQA.message(code))
        summary.passes = [OptimizationSummary.Pass(evaluations: box.count, value: value, returnCode: Int(code))]
        return summary
    }
}

private let traceEvaluations = ProcessInfo.processInfo.environment["HLM_TRACE_OPTIMIZER"] == "evaluations"

/// Carries the Swift closure through NLopt's `void *`, counts calls and keeps the best point seen.
private final class GradientBox {
    let wrapped: ([Double]) -> (value: Double, gradient: [Double])?
    var count = 0
    var bestValue = Double.infinity
    var bestPoint: [Double] = []
    /// The value at the first call (NLopt's start), when it was finite.
    var firstValue: Double?

    init(_ wrapped: @escaping ([Double]) -> (value: Double, gradient: [Double])?) {
        self.wrapped = wrapped
    }

    func function(_ x: [Double], _ gradient: UnsafeMutablePointer<Double>?) -> Double {
        count += 1
        guard let (value, g) = wrapped(x), value.isFinite, g.allSatisfy(\.isFinite) else {
            if let gradient { for i in x.indices { gradient[i] = 0 } }
            return Double.greatestFiniteMagnitude
        }
        if let gradient { for i in x.indices { gradient[i] = g[i] } }
        if count == 1 { firstValue = value }
        if traceEvaluations { FileHandle.standardError.write(Data("eval \(count) \(x) \(value) gradient \(g)\n".utf8)) }
        if value < bestValue {
            bestValue = value
            bestPoint = x
        }
        return value
    }
}
