# The two set-up commands of the README, and the maintainers' benchmarks.
# Each target first installs the system packages it needs (Tools/install-system-packages.sh).

.PHONY: demo test consumers distributed build bench-csv bench-fit

HLM = .build/release/hlm
GCSE = Examples/data/gcse.csv

# The main job on the bundled data: the lecture's models of the GCSE data.
demo: build
	$(HLM) describe $(GCSE)
	$(HLM) fit $(GCSE) "xtmixed gcse lrt || school: lrt if nstu > 4, mle nolog covariance(unstructured)"
	$(HLM) compare $(GCSE) "gcse ~ lrt + (1 | school)" "gcse ~ lrt + (lrt | school)" \
		"gcse ~ lrt * schgend + (lrt | school)" --where "nstu > 4" --method ml

# The whole test suite (pdflatex compiles the LaTeX tables: texlive's recommended and extra packages).
test:
	Tools/install-system-packages.sh texlive-latex-recommended texlive-latex-extra texlive-pictures texlive-science libxml2-utils poppler-utils
	swift test
	$(MAKE) consumers
	$(MAKE) distributed

# Packages that import one library alone (HLMData; HLMFormula): each builds and runs on the bundled data.
consumers:
	swift build --package-path Examples/consumers/DataOnly --scratch-path .build-consumers/data
	.build-consumers/data/debug/DataOnly Examples/data/gcse.csv
	swift build --package-path Examples/consumers/FormulaOnly --scratch-path .build-consumers/formula
	.build-consumers/formula/debug/FormulaOnly

# The partitioned fit (issue 19): hlm stats + merge, --streaming, the Dask driver on a local cluster of
# two workers, and Spark's local mode when pyspark installs and Java is present (Tests/distributed).
distributed:
	python3 -c 'import dask.distributed' 2>/dev/null || pip install --quiet "dask[distributed]"
	python3 -c 'import pyspark' 2>/dev/null || timeout 600 pip install --quiet pyspark || echo "pyspark did not install: the Spark check is skipped"
	swift build --product hlm
	python3 Tests/distributed/test_distributed.py .build/debug/hlm

# Release build, the Swift runtime and Foundation linked statically: one self-contained binary that
# starts in about 10 ms instead of 20 (most of a small fit's time was the dynamic loader's).
build:
	Tools/install-system-packages.sh
	swift build -c release --static-swift-stdlib --product hlm

# CSV reading speed beside pandas (Tools/bench-csv.sh).
bench-csv: build
	Tools/bench-csv.sh

# A 1M-row random-slope fit beside lme4 and statsmodels (Tools/bench-fit.sh).
bench-fit: build
	Tools/bench-fit.sh
