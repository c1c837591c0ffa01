#!/usr/bin/env python3
"""Fits a linear mixed model to a CSV file on Spark (docs/distributed.md): the same binary, the same
three steps as dask_fit.py. Spark splits the file into partitions; mapPartitions writes each
partition's lines (with the header) to a temporary CSV and runs `hlm stats` on it; treeReduce adds the
statistics with `hlm merge`; the driver runs `hlm fit ALL.stats FORMULA` and prints the JSON report.

Usage:
  spark_fit.py [--hlm PATH] [--master local[2]] [--partitions N] --formula F [--method reml|ml] DATA.csv
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dask_fit import merge_statistics, run_hlm  # noqa: E402  (the same hlm calls, no Dask needed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hlm", default=os.environ.get("HLM", "hlm"))
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2], Spark's local mode)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--formula", required=True)
    parser.add_argument("--method", choices=["reml", "ml"], default="reml")
    parser.add_argument("data", help="one CSV file with a header row")
    options = parser.parse_args()

    from pyspark import SparkContext

    hlm = os.path.abspath(options.hlm) if os.path.sep in options.hlm else options.hlm
    formula = options.formula
    with open(options.data) as f:
        header = f.readline()
    sc = SparkContext(master=options.master, appName="hlm")
    sc.setLogLevel("ERROR")
    # The workers import the hlm calls from the same file as the driver.
    sc.addPyFile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dask_fit.py"))
    try:
        lines = sc.textFile(os.path.abspath(options.data), minPartitions=options.partitions)

        def statistics(partition):
            with tempfile.TemporaryDirectory() as work:
                path = os.path.join(work, "part.csv")
                rows = 0
                with open(path, "w") as out:
                    out.write(header)
                    for line in partition:
                        if line + "\n" == header:
                            continue
                        out.write(line + "\n")
                        rows += 1
                if rows == 0:
                    return []
                output = os.path.join(work, "part.stats")
                run_hlm(hlm, ["stats", path, formula, "--output", output])
                with open(output, "rb") as f:
                    return [f.read()]

        merged = lines.mapPartitions(statistics).treeReduce(lambda a, b: merge_statistics(hlm, a, b))
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "all.stats")
            with open(path, "wb") as f:
                f.write(merged)
            sys.stdout.write(run_hlm(hlm, ["fit", path, formula, "--method", options.method, "--format", "json"]))
    except RuntimeError as error:
        print(f"spark_fit.py: {error}", file=sys.stderr)
        return 2
    finally:
        sc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
