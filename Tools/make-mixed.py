#!/usr/bin/env python3
"""Writes a deterministic random-slope dataset: ROWS rows in GROUPS groups,
y = 2 + 0.5 x + u0[g] + u1[g] x + e, with sd(u0) = 1, sd(u1) = 0.3, corr 0.4, sd(e) = 1.
Columns: y, x, g. Usage: make-mixed.py ROWS GROUPS PATH"""
import math
import random
import sys

rows, groups, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(20261122)
effects = []
for _ in range(groups):
    a, b = rng.gauss(0, 1), rng.gauss(0, 1)
    effects.append((a, 0.3 * (0.4 * a + math.sqrt(1 - 0.16) * b)))
with open(path, "w") as out:
    out.write("y,x,g\n")
    lines = []
    for i in range(rows):
        g = i % groups
        x = rng.gauss(0, 1)
        u0, u1 = effects[g]
        lines.append(f"{2 + 0.5 * x + u0 + u1 * x + rng.gauss(0, 1):.6f},{x:.6f},{g}\n")
        if len(lines) == 100_000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)
