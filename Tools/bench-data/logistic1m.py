#!/usr/bin/env python3
"""A binary response for 1M rows in 10k groups with a random intercept (SD 0.8) and one predictor:
logit P(y = 1) = -0.5 + 0.7 x + u_g. Deterministic (seed 17). Usage: logistic1m.py OUT.csv [ROWS GROUPS]"""
import sys
import numpy as np

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
groups = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
rng = np.random.default_rng(17)
g = rng.integers(0, groups, rows)
u = rng.normal(0, 0.8, groups)
x = rng.normal(0, 1, rows)
eta = -0.5 + 0.7 * x + u[g]
y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(int)
with open(out, "w") as f:
    f.write("y,x,g\n")
    for yi, xi, gi in zip(y, x, g):
        f.write(f"{yi},{xi:.6f},g{gi}\n")
