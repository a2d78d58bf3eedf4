//! The exit codes of `rtde`, one documented constant each.
//!
//! Scripts and CI branch on these, so they are part of rtde's contract: the README and
//! `rtde --help` list the same table. An unexpected error (a bug) also exits with
//! [`FAILED`]; a panic exits with 101 as every Rust program does.

/// Everything ran and every check passed.
pub const OK: i32 = 0;
/// A pipeline stage or an `expect` check failed (the run is recorded).
pub const FAILED: i32 = 1;
/// Invalid input: command-line usage, a malformed manifest, an unreadable results file.
pub const INVALID_INPUT: i32 = 2;
/// The environment is not usable: Docker unreachable, Compose missing, a port in use, an
/// image that can be neither had nor built here (also `bench-all --continue-on-error` when
/// it skipped such a pipeline and none failed).
pub const ENVIRONMENT: i32 = 3;
/// `rtde compare --baseline` found a real regression beyond the threshold.
pub const REGRESSION: i32 = 4;
/// Interrupted by SIGINT or SIGTERM; the stack was torn down (128 + SIGINT, as shells do).
pub const INTERRUPTED: i32 = 130;

/// The table printed at the end of `rtde --help`.
pub const HELP_TABLE: &str = "\
Exit codes:
  0    ok: every stage and check passed
  1    a pipeline stage or a check failed
  2    invalid input: usage, manifest or results file
  3    environment: Docker unreachable, Compose missing, port in use, image not to be had
  4    compare --baseline found a regression
  130  interrupted (SIGINT/SIGTERM); the stack was torn down";
