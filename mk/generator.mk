# The generator benchmark (included by the top-level Makefile).
#
#   make bench-generator [BENCH_EVENTS=1000000] [BENCH_RUNS=3]
#
# Builds rtde in release mode and measures events/s and CPU per event to Parquet and JSON
# lines files, and to a local tansu broker side by side with the original framework's
# generator reproduced in Python, alternating, with lz4 (the original's codec), none and
# zstd; then with lz4 to a broker that is not the bottleneck (librdkafka's mock cluster,
# scripts/bench/mock_broker.py). Needs tansu (cargo install tansu --features dynostore) and .venv with
# requirements-dev.txt (orjson, pyarrow, confluent-kafka). Figures go to
# docs/performance.md by hand, with the command.

BENCH_EVENTS ?= 1000000
BENCH_RUNS ?= 3
BENCH_PYTHON ?= .venv/bin/python

.PHONY: bench-generator
bench-generator:
	cargo build --release
	$(BENCH_PYTHON) scripts/bench/generator_bench.py --rtde target/release/rtde --events $(BENCH_EVENTS) --runs $(BENCH_RUNS)

# Instructions per event (valgrind's callgrind), which the machine's load does not move: for
# comparing two builds on a busy machine. BENCH_RTDE_OTHER=path/to/other/rtde adds a build
# to compare with. Needs valgrind and tansu (the Kafka case). See docs/performance.md.
CALLGRIND_EVENTS ?= 100000
BENCH_RTDE_OTHER ?=

.PHONY: bench-generator-instructions
bench-generator-instructions:
	cargo build --release
	python3 scripts/bench/generator_callgrind.py --rtde target/release/rtde $(if $(BENCH_RTDE_OTHER),--rtde $(BENCH_RTDE_OTHER)) --events $(CALLGRIND_EVENTS)
