# Makefile fragment for the canonical dbt project (shared/dbt); included by the root Makefile.

.PHONY: bench-dbt
## bench-dbt: time reference Silver + `dbt build` on 1 M generated events (not a timed test;
## the figures go to the dbt section of docs/performance.md). DBT_BENCH_EVENTS=N to change.
bench-dbt:
	scripts/dbt/bench.sh
