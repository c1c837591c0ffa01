#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer,address) for the CSV reader, the codebook
# reader, the formula parser, the --test/--lincom hypothesis parser, statistics files, saved model files
# and predict's new data, and runs each, seeded from Examples/data and Tools/fuzz/corpus.
# Usage: Tools/fuzz/run.sh [RUNS] [csv|codebook|formula|hypothesis|statistics|model|newdata|rename ...]
# (default 10,000,000 executions each; default targets: the first four)
# FUZZ_SECONDS=N stops each target after N seconds if it has not reached RUNS (default 1800).
# Crashes go to Tools/out/fuzz/<target>/crash-*; add each as a regression test (Tests/HLMDataTests/FuzzRegressionTests.swift).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10000000}
shift || true
targets=${*:-csv codebook formula hypothesis}
out=Tools/out/fuzz
mkdir -p "$out/build"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -enable-testing)
support_sources=(Packages/HLMSupport/Sources/_HLMSupport/*.swift)
data_sources=(Packages/HLMData/Sources/HLMData/*.swift)
formula_sources=(Packages/HLMFormula/Sources/HLMFormula/*.swift)

# _HLMSupport, HLMData and HLMFormula as static libraries built with the same instrumentation.
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name _HLMSupport \
  -emit-module-path "$out/build/_HLMSupport.swiftmodule" -o "$out/build/lib_HLMSupport.a" "${support_sources[@]}" 2> "$out/build/support.log"
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name HLMData -I "$out/build" -I Packages/HLMData/Sources/_CLibXML2 \
  -emit-module-path "$out/build/HLMData.swiftmodule" -o "$out/build/libHLMData.a" "${data_sources[@]}" 2> "$out/build/data.log"
swiftc "${flags[@]}" -emit-library -static -emit-module -module-name HLMFormula -I "$out/build" -I Packages/HLMData/Sources/_CLibXML2 \
  -emit-module-path "$out/build/HLMFormula.swiftmodule" -o "$out/build/libHLMFormula.a" "${formula_sources[@]}" 2> "$out/build/formula.log"

# HLMEstimation (with the system libraries its C modules link) for the targets that need it.
estimation_built=no
build_estimation() {
  [ $estimation_built = yes ] && return
  modules=(-I Packages/HLMEstimation/Sources/_COpenBLAS -I Packages/HLMEstimation/Sources/_CNLopt -I Packages/HLMEstimation/Sources/_CCHOLMOD)
  swiftc "${flags[@]}" -emit-library -static -emit-module -module-name HLMEstimation -I "$out/build" -I Packages/HLMData/Sources/_CLibXML2 \
    "${modules[@]}" -emit-module-path "$out/build/HLMEstimation.swiftmodule" -o "$out/build/libHLMEstimation.a" \
    $(find Packages/HLMEstimation/Sources/HLMEstimation -name '*.swift') 2> "$out/build/estimation.log"
  estimation_built=yes
}
build_report() {
  build_estimation
  swiftc "${flags[@]}" -emit-library -static -emit-module -module-name HLMReport -I "$out/build" -I Packages/HLMData/Sources/_CLibXML2 \
    "${modules[@]}" -emit-module-path "$out/build/HLMReport.swiftmodule" -o "$out/build/libHLMReport.a" \
    Packages/HLMReport/Sources/HLMReport/*.swift 2> "$out/build/report.log"
}

for target in $targets; do
  max_len=3000
  case $target in
    csv) source=CSVFuzz; seeds=(Examples/data/*.csv) ;;
    codebook) source=CodebookFuzz; seeds=(Examples/data/*.xml) ;;
    formula) source=FormulaFuzz; seeds=() ;;
    hypothesis) source=HypothesisFuzz; seeds=() ;;
    statistics) source=StatisticsFuzz; seeds=(); max_len=8192 ;;
    model) source=ModelFuzz; seeds=(); max_len=16384 ;;
    newdata) source=NewDataFuzz; seeds=(Examples/data/gcse.csv) ;;
    rename) source=RenameFuzz; seeds=() ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  libraries=(-L "$out/build" -lHLMData -l_HLMSupport -lxml2)
  [ "$target" = formula ] && libraries=(-L "$out/build" -lHLMFormula -lHLMData -l_HLMSupport -lxml2)
  # The hypothesis parser is one file of HLMEstimation that needs only _HLMSupport: compiled into the target.
  extra=()
  [ "$target" = hypothesis ] && { libraries=(-L "$out/build" -l_HLMSupport); extra=(Packages/HLMEstimation/Sources/HLMEstimation/Inference/LinearHypothesis.swift); }
  case $target in
    statistics|model|newdata)
      build_estimation
      libraries=(-L "$out/build" -lHLMEstimation -lHLMFormula -lHLMData -l_HLMSupport -lxml2 -lopenblas -lnlopt -lcholmod)
      extra=(-I Packages/HLMEstimation/Sources/_COpenBLAS -I Packages/HLMEstimation/Sources/_CNLopt -I Packages/HLMEstimation/Sources/_CCHOLMOD) ;;
    rename)
      build_report
      libraries=(-L "$out/build" -lHLMReport -lHLMEstimation -lHLMFormula -lHLMData -l_HLMSupport -lxml2 -lopenblas -lnlopt -lcholmod)
      extra=(-I Packages/HLMEstimation/Sources/_COpenBLAS -I Packages/HLMEstimation/Sources/_CNLopt -I Packages/HLMEstimation/Sources/_CCHOLMOD) ;;
  esac
  swiftc "${flags[@]}" -I "$out/build" -I Packages/HLMData/Sources/_CLibXML2 "Tools/fuzz/$source.swift" "${extra[@]}" "${libraries[@]}" \
    -o "$out/build/fuzz-$target" 2> "$out/build/$target.log"
  corpus="$out/corpus-$target"
  mkdir -p "$corpus" "$out/$target"
  # Seeds: the head of each bundled file (inputs are capped at 4 KiB).
  for seed in "${seeds[@]}"; do head -c 3000 "$seed" > "$corpus/$(basename "$seed")"; done
  [ -d "Tools/fuzz/corpus/$target" ] && cp Tools/fuzz/corpus/$target/* "$corpus/" 2>/dev/null || true
  echo "== $target: $runs executions"
  "$out/build/fuzz-$target" -runs="$runs" -max_total_time="${FUZZ_SECONDS:-1800}" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/$target/" -print_final_stats=1 "$corpus" > "$out/$target.log" 2>&1 || true
  grep -E "^(stat::|#[0-9]+ *DONE|==[0-9]+==ERROR|SUMMARY|Done)" "$out/$target.log" || true
done
