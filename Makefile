# The familiar entry points, as thin wrappers over rtde. Component targets (benchmarks of
# the generator, the sampler, the dbt project; the report) live in mk/*.mk.

RTDE := cargo run --release --quiet --
P ?= p00

.PHONY: build test lint bench bench-all list validate clean-stacks

build:
	cargo build --release

# The test suite, exactly as CI runs it (.ci/run calls this target). Needs a running Docker
# engine; .ci/run installs and starts everything else the tests use.
test: lint
	cargo nextest run --no-fail-fast

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

# Extra rtde options, e.g. RTDE_ARGS="--runs 5 --warmup 1"; BROKER=tansu runs a Kafka
# pipeline on another broker (and makes images-local build that broker's image).
RTDE_ARGS ?=
BROKER ?=

bench:
	$(RTDE) bench $(P) $(if $(BROKER),--broker $(BROKER)) $(RTDE_ARGS)

bench-all:
	$(RTDE) bench-all $(RTDE_ARGS)

list:
	$(RTDE) list

validate:
	$(RTDE) validate --all

clean-stacks:
	$(RTDE) clean

-include mk/*.mk
