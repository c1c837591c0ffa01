# The two set-up commands of the README, and the maintainers' benchmarks.
# Each target first installs the system packages it needs (Tools/install-system-packages.sh).

.PHONY: demo test build bench-csv bench-fit

# The main job on the bundled data.
demo: build
	.build/release/hlm describe Examples/data/gcse.csv

# The whole test suite.
test:
	Tools/install-system-packages.sh
	swift test

build:
	Tools/install-system-packages.sh
	swift build -c release --product hlm

# CSV reading speed beside pandas (Tools/bench-csv.sh).
bench-csv: build
	Tools/bench-csv.sh

# A 1M-row random-slope fit beside lme4 and statsmodels (Tools/bench-fit.sh).
bench-fit: build
	Tools/bench-fit.sh
