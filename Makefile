# The familiar entry points, as thin wrappers over rtde. Component targets (benchmarks of
# the generator, the sampler, the dbt project; the report) live in mk/*.mk.

RTDE := cargo run --release --quiet --
P ?= p00

.PHONY: build test test-compose-v1 lint bench bench-all list validate clean-stacks up stage status down

build:
	cargo build --release

# The test suite, exactly as CI runs it (.ci/run calls this target). Needs a running Docker
# engine; .ci/run installs and starts everything else the tests use. The whole suite runs on
# the Compose rtde finds first (v2 when it is installed); the harness and the end-to-end
# pipelines then run again on Compose v1 when that is installed too, since users run both.
test: lint
	cargo nextest run --no-fail-fast
	@$(MAKE) --no-print-directory test-compose-v1

# On v1: the harness, and the pipelines issue #17 names (P00, P20); the heavier stacks (P01,
# P12, P21, …) run once, on v2, to keep CI inside its time.
COMPOSE_V1_TESTS := binary(harness) | (binary(pipelines) & test(/^p00_|^p20_/))

test-compose-v1:
	@if ! docker compose version >/dev/null 2>&1; then \
	  echo "test-compose-v1: no Compose v2 here, so the suite above ran on v1"; \
	elif docker-compose version --short 2>/dev/null | grep -q '^1\.'; then \
	  echo "test-compose-v1: the harness, P00 and P20 again, on docker-compose v1"; \
	  RTDE_COMPOSE=docker-compose cargo nextest run --no-fail-fast -E '$(COMPOSE_V1_TESTS)'; \
	elif [ -n "$$CI" ]; then \
	  echo "test-compose-v1: CI tests both Compose versions, and docker-compose v1 is missing" >&2; \
	  exit 1; \
	else \
	  echo "test-compose-v1: no docker-compose v1 here; the suite ran on v2 alone"; \
	fi

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

# A stack step by step: `make up P=p00`, `make stage P=p00 S="generate silver"`,
# `make status P=p00`, `make down P=p00`. The stages run with the variables `up` was given
# (BROKER and VARS="storage=files ..." go to `up`; `stage` refuses others).
S ?=
VARS ?=

up:
	$(RTDE) up $(P) $(if $(BROKER),--broker $(BROKER)) $(foreach v,$(VARS),--var $(v))

stage:
	$(RTDE) stage $(P) $(S)

status:
	$(RTDE) status $(P)

down:
	$(RTDE) down $(P)

list:
	$(RTDE) list

validate:
	$(RTDE) validate --all

clean-stacks:
	$(RTDE) clean

-include mk/*.mk
