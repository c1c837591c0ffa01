#!/usr/bin/env bash
# A random-slope model fitted end to end: hlm's whole process beside lme4's lmer() alone and
# statsmodels' MixedLM.fit() alone, on the same generated file, in one run. REML, y ~ x + (x | g).
# Usage: Tools/bench-fit.sh [ROWS] [GROUPS]   (default 1,000,000 rows in 10,000 groups)
# Installs R's lme4 and Python's statsmodels when missing (root only); skips a tool it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
groups=${2:-10000}
mkdir -p Tools/out
file=Tools/out/mixed-$rows-$groups.csv
[ -f "$file" ] || python3 Tools/make-mixed.py "$rows" "$groups" "$file"
swift build -c release --static-swift-stdlib --product hlm >/dev/null

if ! Rscript -e 'library(lme4)' >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-lme4 >/dev/null 2>&1 || true
fi
if ! python3 -c 'import statsmodels, pandas' >/dev/null 2>&1; then
  pip install --quiet statsmodels pandas >/dev/null 2>&1 || true
fi

echo "random-slope REML fit, $rows rows, $groups groups ($(du -h "$file" | cut -f1) CSV)"
best=999999
for _ in 1 2 3; do
  start=$(date +%s.%N)
  .build/release/hlm fit "$file" "y ~ x + (x | g)" --format json > Tools/out/hlm-fit.json
  end=$(date +%s.%N)
  best=$(python3 -c "print(min($best, $end - $start))")
done
hlm_ll=$(python3 -c "import json; print(json.load(open('Tools/out/hlm-fit.json'))['logLikelihood'])")
printf "%-12s %8.3f s   logLik %.6f   (whole process: read, fit, report; best of 3)\n" hlm "$best" "$hlm_ll"

if Rscript -e 'library(lme4)' >/dev/null 2>&1; then
  Rscript - "$file" "$best" "$hlm_ll" <<'R'
suppressMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$g <- factor(d$g)
t <- system.time(fm <- lmer(y ~ x + (x | g), d, REML = TRUE))[["elapsed"]]
ll <- as.numeric(logLik(fm))
cat(sprintf("%-12s %8.3f s   logLik %.6f   (lmer() alone; %.1fx hlm's whole process; logLik difference %.2e relative)\n",
            "lme4", t, ll, t / as.numeric(args[2]), (as.numeric(args[3]) - ll) / abs(ll)))
R
else
  echo "lme4: not installed, skipped"
fi

if python3 -c 'import statsmodels' >/dev/null 2>&1; then
  python3 - "$file" "$best" "$hlm_ll" <<'PY'
import sys, time, warnings
import pandas as pd
import statsmodels.formula.api as smf
warnings.simplefilter("ignore")
path, best, hlm_ll = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
d = pd.read_csv(path)
start = time.perf_counter()
fit = smf.mixedlm("y ~ x", d, groups=d["g"], re_formula="~x").fit(reml=True)
t = time.perf_counter() - start
print(f"{'statsmodels':<12} {t:8.3f} s   logLik {fit.llf:.6f}   (MixedLM.fit() alone; {t / best:.1f}x hlm's whole process)")
PY
else
  echo "statsmodels: not installed, skipped"
fi
