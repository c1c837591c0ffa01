#!/usr/bin/env python3
"""The partitioned fit of issue 19: the 1M-row benchmark (`hlm simulate wide`) in 4 partitions, fitted
through `hlm stats` + `hlm merge` + `hlm fit ALL.stats`, through the Dask driver on a local cluster of
two workers, and (when pyspark and Java are here) through the Spark driver in local mode; each
log-likelihood must equal the whole-file fit's to 1e-9 relative, with the same coefficients.

Usage: test_distributed.py HLM   (exit 0 when every check holds; the skipped Spark check says so)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FORMULA = "y ~ x1 + x2 + factor(f) + (x1 | g)"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def hlm(*arguments):
    done = subprocess.run([HLM, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"hlm {' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout


def check(name, report, whole):
    ll, reference = report["logLikelihood"], whole["logLikelihood"]
    relative = abs(ll - reference) / abs(reference)
    names = [e["name"] for e in report["fixedEffects"]] == [e["name"] for e in whole["fixedEffects"]]
    beta = max(abs(a["estimate"] - b["estimate"]) for a, b in zip(report["fixedEffects"], whole["fixedEffects"]))
    ok = relative <= 1e-9 and names and beta <= 1e-6 and report["nobs"] == whole["nobs"]
    print(f"{'ok  ' if ok else 'FAIL'} {name}: logLik {ll!r} vs whole file {reference!r} (relative {relative:.1e}), "
          f"largest fixed-effect difference {beta:.1e}, nobs {report['nobs']}")
    if not ok:
        failures.append(name)


def main():
    work = tempfile.mkdtemp(prefix="hlm-distributed-")
    try:
        data = os.path.join(work, "bench-1m.csv")
        hlm("simulate", "wide", "--rows", "1000000", "--groups", "10000", "--seed", "2", "--output", data)
        with open(data) as f:
            header, rows = f.readline(), f.readlines()
        parts = []
        for k in range(4):
            parts.append(os.path.join(work, f"part{k}.csv"))
            with open(parts[-1], "w") as out:
                out.write(header)
                out.writelines(rows[k * len(rows) // 4:(k + 1) * len(rows) // 4])
        whole = json.loads(hlm("fit", data, FORMULA, "--format", "json"))

        stats = []
        for k, part in enumerate(parts):
            stats.append(os.path.join(work, f"part{k}.stats"))
            hlm("stats", part, FORMULA, "--output", stats[-1])
        merged = os.path.join(work, "all.stats")
        hlm("merge", "--output", merged, *stats)
        check("hlm stats + merge + fit", json.loads(hlm("fit", merged, FORMULA, "--format", "json")), whole)
        check("hlm fit --streaming", json.loads(hlm("fit", data, FORMULA, "--streaming", "--format", "json")), whole)

        def driver(name, script, label, *arguments):
            """Runs a driver of Tools/distributed and checks the report it prints."""
            done = subprocess.run([sys.executable, os.path.join(ROOT, "Tools", "distributed", script), "--hlm", HLM,
                                   *arguments], capture_output=True, text=True)
            if done.returncode != 0:
                failures.append(name)
                print(f"FAIL {script}: {done.stderr.strip()[-2000:]}")
            else:
                check(label, json.loads(done.stdout), whole)

        driver("dask", "dask_fit.py", "Dask, 2 workers (dask_fit.py)", "--workers", "2", "--formula", FORMULA, *parts)

        try:
            import pyspark  # noqa: F401
            spark = shutil.which("java") is not None
        except ImportError:
            spark = False
        if spark:
            driver("spark", "spark_fit.py", "Spark local mode (spark_fit.py)", "--master", "local[2]", "--partitions", "4",
                   "--formula", FORMULA, data)
        else:
            print("skip Spark: pyspark or Java is not installed here")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    HLM = os.path.abspath(sys.argv[1])
    sys.exit(main())
