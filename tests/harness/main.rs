//! Integration tests of the harness against the real Docker engine and Compose, with fixture
//! stacks built without a registry (tests/fixtures). One binary; one module per concern.

// A full run: every stage kind, probes, captures, checks, records, results.
mod bench;
// Teardown on failure, timeout, unhealthy startup, signals, crashes, profiles, concurrency.
mod teardown;
// Manifest errors through the CLI, and environment errors.
mod cli_errors;
// A pipeline written as "an existing stack plus one part" (extends, use): validated against
// its compose stack and printed resolved.
mod composition;
// A pipeline folder by path; the results tables beside the runs of --out.
mod paths;
// Pipelines whose images cannot be had here: named, and skipped by bench-all.
mod skipped;
// Containers the kernel killed for exceeding their memory limit.
mod oom;
// A stack worked step by step: up, stage (across calls), status, down.
mod stage;
#[path = "../support/up.rs"]
mod up;
mod util;
