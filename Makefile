# The two set-up commands of the README, and the maintainers' benchmarks.
# Each target first installs the system packages it needs (Tools/install-system-packages.sh).

.PHONY: demo test build bench-csv

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
