#!/usr/bin/env python3
"""Fits a linear mixed model to CSV partitions on a Dask cluster (docs/distributed.md).

Each worker runs `hlm stats` on its partitions (the only pass over the rows); the statistics are
merged on the workers in a tree with `hlm merge` (associative, so any tree gives the same sums); the
driver fits the merged statistics with `hlm fit ALL.stats FORMULA` and prints the JSON report.
What crosses the network is statistics files (groups x columns numbers), never rows.

Usage:
  dask_fit.py [--hlm PATH] --workers N [--scheduler ADDRESS] --formula F [--method reml|ml] PART.csv...

Without --scheduler a local cluster of N worker processes is started (and stopped at the end);
with it, the workers of that cluster are used and must see the partition paths and the hlm binary.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def run_hlm(hlm, arguments):
    """Runs hlm; a failure is raised with hlm's own one-line message."""
    done = subprocess.run([hlm] + arguments, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"hlm exited {done.returncode}")
    return done.stdout


def partition_statistics(hlm, formula, path):
    """Map: one partition's statistics file, as bytes."""
    with tempfile.TemporaryDirectory() as work:
        output = os.path.join(work, "part.stats")
        run_hlm(hlm, ["stats", path, formula, "--output", output])
        with open(output, "rb") as f:
            return f.read()


def merge_statistics(hlm, *parts):
    """Reduce: the sum of statistics files, as bytes."""
    with tempfile.TemporaryDirectory() as work:
        paths = []
        for k, data in enumerate(parts):
            paths.append(os.path.join(work, f"{k}.stats"))
            with open(paths[-1], "wb") as f:
                f.write(data)
        output = os.path.join(work, "merged.stats")
        run_hlm(hlm, ["merge", "--output", output] + paths)
        with open(output, "rb") as f:
            return f.read()


def tree_merge(client, hlm, futures, fan_in=2):
    """Merges on the workers, `fan_in` at a time, until one statistics file is left."""
    while len(futures) > 1:
        futures = [client.submit(merge_statistics, hlm, *futures[k:k + fan_in], pure=False)
                   for k in range(0, len(futures), fan_in)]
    return futures[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hlm", default=os.environ.get("HLM", "hlm"), help="the hlm binary (default: $HLM or hlm on PATH)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster (default 2)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786")
    parser.add_argument("--formula", required=True, help="the model, in any notation hlm reads")
    parser.add_argument("--method", choices=["reml", "ml"], default="reml")
    parser.add_argument("parts", nargs="+", help="CSV partitions, each with the header row")
    options = parser.parse_args()

    from dask.distributed import Client, LocalCluster

    hlm = os.path.abspath(options.hlm) if os.path.sep in options.hlm else options.hlm
    parts = [os.path.abspath(p) for p in options.parts]
    cluster = None
    if options.scheduler:
        client = Client(options.scheduler)
    else:
        cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        mapped = [client.submit(partition_statistics, hlm, options.formula, p, pure=False) for p in parts]
        merged = tree_merge(client, hlm, mapped).result()
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "all.stats")
            with open(path, "wb") as f:
                f.write(merged)
            sys.stdout.write(run_hlm(hlm, ["fit", path, options.formula, "--method", options.method, "--format", "json"]))
    except RuntimeError as error:
        print(f"dask_fit.py: {error}", file=sys.stderr)
        return 2
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
