# The generator benchmark (included by the top-level Makefile).
#
#   make bench-generator [BENCH_EVENTS=1000000] [BENCH_RUNS=3]
#
# Builds rtde in release mode and measures events/s and CPU per event to Parquet, JSON lines
# and a local tansu broker, side by side with a Python producer of the original framework's
# kind against the same broker. Needs tansu (cargo install tansu --features dynostore) and
# .venv with requirements-dev.txt. Figures go to docs/performance.md by hand, with the command.

BENCH_EVENTS ?= 1000000
BENCH_RUNS ?= 3
BENCH_PYTHON ?= .venv/bin/python

.PHONY: bench-generator
bench-generator:
	cargo build --release
	$(BENCH_PYTHON) scripts/bench/generator_bench.py --rtde target/release/rtde --events $(BENCH_EVENTS) --runs $(BENCH_RUNS)
