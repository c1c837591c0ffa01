#!/usr/bin/env bash
# CSV reading speed: hlm's CSVReader beside pandas.read_csv on the same generated file, same run.
# Usage: Tools/bench-csv.sh [ROWS]   (default 1,000,000 rows, about 35 MB; the file is generated, not committed)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
mkdir -p Tools/out
file=Tools/out/bench-$rows.csv
[ -f "$file" ] || python3 Tools/make-csv.py "$rows" "$file"
swift build -c release --static-swift-stdlib --product hlm-bench-csv >/dev/null
.build/release/hlm-bench-csv "$file" 5
if ! python3 -c "import pandas" 2>/dev/null; then
  pip install --quiet pandas >/dev/null 2>&1 || { echo "pandas not available: no comparison"; exit 0; }
fi
python3 - "$file" <<'PY'
import sys, time, os
import pandas as pd
path = sys.argv[1]
size = os.path.getsize(path) / 1e6
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    frame = pd.read_csv(path)
    best = min(best, time.perf_counter() - start)
print(f"pandas read {size:.1f} MB, {len(frame)} rows in {best:.3f} s: {size / best:.0f} MB/s (best of 5, C parser {pd.__version__})")
PY
