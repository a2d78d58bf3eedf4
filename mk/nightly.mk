# The nightly benchmark, as .github/workflows/nightly.yml runs it, so it can be run (and
# checked) on any machine with Docker:
#
#   make nightly                                   every pipeline, 6 runs after 1 warm-up
#   make nightly NIGHTLY_ARGS="--tier core"
#   make nightly NIGHTLY_ARGS="--only p00,p20 --broker tansu"   (a machine without a registry)
#
# nightly-bench runs the pipelines into the curated comparison (`--out pipelines/comparison`:
# run records, results.csv and runs.csv there; ad-hoc `rtde bench` runs go to runs/ and never
# touch it); pipelines whose images cannot be had here are SKIPPED rows. nightly-compare
# writes the report and exports and, when the baseline exists, exits 4 on a regression that
# is real given both sides' runs (docs/statistics.md). Without a baseline it says so and
# only reports. A baseline is the results.json of a reviewed nightly: `make
# nightly-baseline` writes it from the current results; commit it.

NIGHTLY_RUNS ?= 6
NIGHTLY_WARMUP ?= 1
NIGHTLY_ARGS ?=
NIGHTLY_BASELINE ?= pipelines/comparison/baseline.json
NIGHTLY_THRESHOLD ?= 10%

.PHONY: nightly nightly-bench nightly-compare nightly-baseline

nightly: nightly-bench nightly-compare
	$(RTDE) report

nightly-bench:
	$(RTDE) bench-all --out pipelines/comparison --runs $(NIGHTLY_RUNS) --warmup $(NIGHTLY_WARMUP) --continue-on-error $(NIGHTLY_ARGS)

# rtde's own exit code (4: a regression) is kept in $(NIGHTLY_CODE_FILE), since make turns
# every failing recipe into 2.
NIGHTLY_CODE_FILE ?= target/nightly-compare.code

nightly-compare:
	@mkdir -p $(dir $(NIGHTLY_CODE_FILE)); \
	if [ -f "$(NIGHTLY_BASELINE)" ]; then \
	  echo "comparing with the baseline $(NIGHTLY_BASELINE) (threshold $(NIGHTLY_THRESHOLD))"; \
	  baseline="--baseline $(NIGHTLY_BASELINE) --threshold $(NIGHTLY_THRESHOLD)"; \
	else \
	  echo "warning: no baseline at $(NIGHTLY_BASELINE): no regression check; review the report, then make nightly-baseline and commit it"; \
	  baseline=""; \
	fi; \
	$(RTDE) compare --export-json pipelines/comparison/results.json \
	  --export-markdown pipelines/comparison/results.md $$baseline; \
	code=$$?; echo $$code > $(NIGHTLY_CODE_FILE); exit $$code

nightly-baseline:
	$(RTDE) compare --export-json $(NIGHTLY_BASELINE)
