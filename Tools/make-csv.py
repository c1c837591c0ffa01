#!/usr/bin/env python3
"""Writes a deterministic synthetic CSV: ROWS rows of id, group, x, y, flag (about 35 bytes a row)."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
path = sys.argv[2] if len(sys.argv) > 2 else "Tools/out/bench.csv"
rng = random.Random(20261122)
with open(path, "w") as out:
    out.write("id,group,x,y,flag\n")
    lines = []
    for i in range(rows):
        x = rng.gauss(0, 1)
        lines.append(f"{i},{i % 10000},{x:.6f},{2 + 0.5 * x + rng.gauss(0, 1):.6f},{rng.randint(0, 1)}\n")
        if len(lines) == 100_000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)
