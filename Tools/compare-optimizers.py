#!/usr/bin/env python3
"""Issue 14, item 3: the optimisers side by side over every reference model (lme4's fits in
Examples/data, made by R) and the benchmarks' models. For each model and each choice of HLM_OPTIMIZER
it prints the evaluations and the log-likelihood, and the reference's (lme4's) where there is one.
Usage: Tools/compare-optimizers.py [--choices bounded,free,newuoa,gradient] [--skip-bench]"""
import argparse, json, os, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
hlm = os.path.join(root, ".build/release/hlm")
golden = os.path.join(root, "Examples/data/reference-fits.json")
data = os.path.join(root, "Examples/data")

parser = argparse.ArgumentParser()
parser.add_argument("--choices", default="bounded,free,newuoa,gradient")
parser.add_argument("--skip-bench", action="store_true")
args = parser.parse_args()

models = []
for fit in json.load(open(golden)):
    extra = ["--where", fit["filter"]] if fit.get("filter") else []
    models.append((fit["dataset"], os.path.join(data, fit["dataset"] + ".csv"), fit["formula"], fit["method"].lower(), extra, fit["logLik"]))
if not args.skip_bench:
    out = os.path.join(root, "Tools/out")
    for name, f, formula, method in [
        ("bench C", "bench-C.csv", "y ~ x + (1 | f1) + (1 | f2) + (1 | f3)", "reml"),
        ("STAR", "real-star.csv", "math ~ gr + cltype + sx + eth + (1 | id) + (1 | tch) + (1 | sch)", "reml"),
        ("InstEval", "real-insteval.csv", "y ~ 1 + factor(service) + (1 | s) + (1 | d) + (1 | dept) + (0 + factor(service) | dept)", "ml"),
        ("Chem97", "real-chem97.csv", "score ~ gcsecnt + (1 | lea/school)", "reml"),
        ("egsingle", "real-egsingle.csv", "math ~ year + (year | childid) + (1 | schoolid)", "reml"),
        ("ScotsSec", "real-scotssec.csv", "attain ~ verbal + sex + (1 | primary) + (1 | second)", "reml"),
        ("bench A", "bench-A.csv", "y ~ x + (x | g)", "reml"),
        ("bench D", "bench-D.csv", "y ~ x + (1 | district/school)", "reml"),
    ]:
        path = os.path.join(out, f)
        if os.path.exists(path):
            models.append((name, path, formula, method, [], None))

choices = args.choices.split(",")
print("| model | method | " + " | ".join(f"{c} evals | {c} logLik | {c} s" for c in choices) + " | lme4 logLik |")
print("| --- | --- | " + " | ".join("--- | --- | ---" for _ in choices) + " | --- |")
totals = {c: 0 for c in choices}
for name, path, formula, method, extra, reference in models:
    cells = []
    for choice in choices:
        env = dict(os.environ, HLM_OPTIMIZER=choice)
        start = time.time()
        run = subprocess.run([hlm, "fit", path, formula, "--method", method, "--format", "json", *extra],
                             capture_output=True, text=True, env=env)
        elapsed = time.time() - start
        if run.returncode != 0:
            cells += ["failed", run.stderr.strip()[:60], ""]
            continue
        fit = json.loads(run.stdout)
        evaluations = fit["optimization"]["evaluations"]
        totals[choice] += evaluations
        cells += [str(evaluations), f"{fit['logLikelihood']:.10f}", f"{elapsed:.2f}"]
    print(f"| {name} `{formula}` | {method} | " + " | ".join(cells) + f" | {reference if reference is not None else '-'} |", flush=True)
print("\ntotal evaluations: " + ", ".join(f"{c} {totals[c]}" for c in choices))
