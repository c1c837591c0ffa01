import Foundation
import HLMFormula

/// Fisher scoring on the variance parameters (the elements of each G_k its structure frees, and σ²),
/// with the expected information of the ML or REML log-likelihood (Longford 1987; Raudenbush & Bryk
/// ch. 14). Every trace is taken in Henderson's (p + Q)-dimensional space, never with n×n matrices:
/// with K = C⁻¹ (REML) or (C_bb)⁻¹ (ML), Z'PZ = (Z'Z − Z'W K W'Z)/σ², Py = e/σ², and so on.
enum FisherScoring {
    struct Result {
        var parameters: VarianceParameters
        var iterations: Int
        var converged: Bool
    }

    static func run(
        _ system: HendersonSystem, criterion: ProfiledDeviance.Criterion, structures: [CovarianceStructure],
        start: VarianceParameters, maxIterations: Int = 500, logLikelihood: (VarianceParameters) -> Double
    ) -> Result {
        let design = system.design
        let bases = design.randomTerms.enumerated().map { k, term in VarianceParameters.basis(q: term.termCount, structures[k]) }
        var current = start
        var value = logLikelihood(current)
        for iteration in 1...maxIterations {
            guard let (score, information) = scoreAndInformation(system, criterion, current, bases) else {
                return Result(parameters: current, iterations: iteration, converged: false)
            }
            let d = score.count
            guard let step = SymmetricSolve.solve(information, score, n: d) else {
                return Result(parameters: current, iterations: iteration, converged: false)
            }
            var scale = 1.0
            var accepted: VarianceParameters?
            var acceptedValue = value
            for _ in 0..<30 {
                let candidate = apply(step, scale: scale, to: current, bases: bases, structures: structures)
                if let candidate {
                    let candidateValue = logLikelihood(candidate)
                    if candidateValue.isFinite && candidateValue >= value - 1e-12 * abs(value) {
                        accepted = candidate
                        acceptedValue = candidateValue
                        break
                    }
                }
                scale /= 2
            }
            guard let next = accepted else { return Result(parameters: current, iterations: iteration, converged: true) }
            let change = acceptedValue - value
            current = next
            value = acceptedValue
            let stepSize = step.map { abs($0) * scale }.max() ?? 0
            if change < 1e-11 * max(1, abs(value)) && stepSize < 1e-7 * max(1, current.sigma2) {
                return Result(parameters: current, iterations: iteration, converged: true)
            }
        }
        return Result(parameters: current, iterations: maxIterations, converged: false)
    }

    /// τ + scale·step, as G's and σ²; nil when a G is not positive semi-definite or σ² ≤ 0.
    static func apply(
        _ step: [Double], scale: Double, to current: VarianceParameters, bases: [[[Double]]], structures: [CovarianceStructure]
    ) -> VarianceParameters? {
        var next = current
        var index = 0
        for (k, basis) in bases.enumerated() {
            let q = Int(Double(current.g[k].count).squareRoot())
            var g = current.g[k]
            for d in basis {
                for e in g.indices { g[e] += scale * step[index] * d[e] }
                index += 1
            }
            var check = g
            for a in 0..<q { check[a + a * q] += 1e-12 * max(1, abs(g[a + a * q])) }
            guard (0..<q).allSatisfy({ g[$0 + $0 * q] >= 0 }), DenseCholesky.factor(&check, n: q) else { return nil }
            next.g[k] = g
        }
        next.sigma2 += scale * step[index]
        return next.sigma2 > 0 ? next : nil
    }

    /// The score and expected information at the current parameters.
    static func scoreAndInformation(
        _ system: HendersonSystem, _ criterion: ProfiledDeviance.Criterion, _ current: VarianceParameters, _ bases: [[[Double]]]
    ) -> ([Double], [Double])? {
        guard let solution = system.solve(current.g, sigma2: current.sigma2) else { return nil }
        let p = system.p, q = system.dimension, qz = q - p, n = Double(system.n)
        let sigma2 = current.sigma2
        let k = criterion == .ml ? ExpectationMaximization.conditionalOnBeta(solution.inverse, p: p, q: q) : solution.inverse
        let a = system.wtw
        // AK = W'W K (q×q); only the rows of Z are needed for most quantities.
        var ak = [Double](repeating: 0, count: q * q)
        for j in 0..<q { for l in 0..<q where k[l + j * q] != 0 { let klj = k[l + j * q]; for i in 0..<q { ak[i + j * q] += a[i + l * q] * klj } } }
        // Z'PZ·σ² = A_ZZ − (A K A)_ZZ ; Z'P²Z·σ⁴ = A_ZZ − 2 (AKA)_ZZ + (AKAKA)_ZZ.
        var aka = [Double](repeating: 0, count: q * q)
        for j in 0..<q { for l in 0..<q { let alj = a[l + j * q]; if alj == 0 { continue }; for i in 0..<q { aka[i + j * q] += ak[i + l * q] * alj } } }
        var akaka = [Double](repeating: 0, count: q * q)
        for j in 0..<q { for l in 0..<q { let v = aka[l + j * q]; if v == 0 { continue }; for i in 0..<q { akaka[i + j * q] += ak[i + l * q] * v } } }
        var t = [Double](repeating: 0, count: qz * qz), t2 = [Double](repeating: 0, count: qz * qz)
        for j in 0..<qz { for i in 0..<qz {
            let (ii, jj) = (p + i, p + j)
            t[i + j * qz] = (a[ii + jj * q] - aka[ii + jj * q]) / sigma2
            t2[i + j * qz] = (a[ii + jj * q] - 2 * aka[ii + jj * q] + akaka[ii + jj * q]) / (sigma2 * sigma2)
        } }
        // Z'e/σ² with e = y − W[β; b].
        var zPy = [Double](repeating: 0, count: qz)
        for i in 0..<qz {
            var s = system.wty[p + i]
            for c in 0..<q { s -= a[(p + i) + c * q] * solution.coefficients[c] }
            zPy[i] = s / sigma2
        }
        let space = criterion == .ml ? p..<q : 0..<q
        var trAK = 0.0, trAKAK = 0.0
        for i in space { trAK += ak[i + i * q] }
        for i in space { for j in space { trAKAK += ak[i + j * q] * ak[j + i * q] } }
        let trP = (n - trAK) / sigma2
        let trP2 = (n - 2 * trAK + trAKAK) / (sigma2 * sigma2)
        let ePPe = solution.residualSumOfSquares / (sigma2 * sigma2)

        // Parameters: (term, D) pairs, then σ².
        var list: [(term: Int, d: [Double])] = []
        for (term, basis) in bases.enumerated() { for d in basis { list.append((term, d)) } }
        let count = list.count + 1
        var score = [Double](repeating: 0, count: count)
        var information = [Double](repeating: 0, count: count * count)
        let terms = system.design.randomTerms
        func block(_ matrix: [Double], _ k1: Int, _ j1: Int, _ k2: Int, _ j2: Int, _ x: Int, _ y: Int) -> Double {
            let r = system.offsets[k1] - p + j1 * terms[k1].termCount + x
            let c = system.offsets[k2] - p + j2 * terms[k2].termCount + y
            return matrix[r + c * qz]
        }
        for (index, (kTerm, d)) in list.enumerated() {
            let qk = terms[kTerm].termCount
            var traceTerm = 0.0, quadratic = 0.0, mixed = 0.0
            for j in 0..<terms[kTerm].groupCount {
                for x in 0..<qk { for y in 0..<qk where d[x + y * qk] != 0 {
                    traceTerm += d[x + y * qk] * block(t, kTerm, j, kTerm, j, y, x)
                    mixed += d[x + y * qk] * block(t2, kTerm, j, kTerm, j, y, x)
                    let base = system.offsets[kTerm] - p + j * qk
                    quadratic += d[x + y * qk] * zPy[base + x] * zPy[base + y]
                } }
            }
            score[index] = -0.5 * traceTerm + 0.5 * quadratic
            information[index + list.count * count] = 0.5 * mixed
            information[list.count + index * count] = 0.5 * mixed
            for (other, (lTerm, e)) in list.enumerated() where other <= index {
                let ql = terms[lTerm].termCount
                var sum = 0.0
                for j1 in 0..<terms[kTerm].groupCount { for j2 in 0..<terms[lTerm].groupCount {
                    // tr(D T_{j1 j2} E T_{j2 j1})
                    for x in 0..<qk { for y in 0..<qk where d[x + y * qk] != 0 {
                        for z in 0..<ql { for w in 0..<ql where e[z + w * ql] != 0 {
                            sum += d[x + y * qk] * block(t, kTerm, j1, lTerm, j2, y, z) * e[z + w * ql] * block(t, lTerm, j2, kTerm, j1, w, x)
                        } }
                    } }
                } }
                information[index + other * count] = 0.5 * sum
                information[other + index * count] = 0.5 * sum
            }
        }
        score[list.count] = -0.5 * trP + 0.5 * ePPe
        information[list.count + list.count * count] = 0.5 * trP2
        return (score, information)
    }
}
