# Reports: thin wrappers over `rtde compare` and `rtde report` (included by the root Makefile).
#
#   make compare                      report + charts in pipelines/comparison/
#   make compare BASELINE=old.json    also check for regressions (exit 4 on a real one)
#   make report                       regenerate BENCHMARK_RESULTS.md
#   make bench-report                 time `rtde compare` on 24 synthetic pipelines

RTDE ?= cargo run --release --quiet --
BASELINE ?=
THRESHOLD ?= 10%
COMPARE_ARGS ?=
BENCH_REPORT_DIR ?= target/bench-report

.PHONY: compare report bench-report

compare:
	$(RTDE) compare --threshold $(THRESHOLD) $(if $(BASELINE),--baseline $(BASELINE)) $(COMPARE_ARGS)

report:
	$(RTDE) report

# 24 pipelines x 7 runs (one warm-up), 200 ms memory samples for every run: the size of a
# full `rtde bench-all --runs 6 --warmup 1`. The first command also rebuilds the tables from
# the 168 run.json files; the second reads the tables only.
bench-report:
	cargo build --release --quiet
	rm -rf $(BENCH_REPORT_DIR)
	python3 tests/fixtures/runs/make_fixtures.py --scale 24 --out $(BENCH_REPORT_DIR)/runs
	time -p target/release/rtde --root $(BENCH_REPORT_DIR) compare --from-runs runs > /dev/null
	time -p target/release/rtde --root $(BENCH_REPORT_DIR) compare --export-json exports/results.json > /dev/null
