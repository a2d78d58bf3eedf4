//! Errors that decide rtde's exit code.
//!
//! Everything else travels as `anyhow::Error` with context added at each layer; a layer that
//! knows *what kind* of failure it is wraps it in [`Error`] so that `main` can map it to one
//! of the documented codes in [`crate::exit`] without string matching.

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Usage, manifest or results-file problems: the user must change their input.
    #[error("{0}")]
    InvalidInput(String),
    /// Docker unreachable, Compose missing, a port in use: the machine must change.
    #[error("{0}")]
    Environment(String),
    /// `compare --baseline` found a real regression.
    #[error("{0}")]
    Regression(String),
    /// An image of a stack is neither here, nor buildable, nor pullable: an environment
    /// problem that `bench-all --continue-on-error` records as a skipped pipeline.
    #[error("{0}")]
    ImagesUnavailable(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidInput(_) => exit::INVALID_INPUT,
            Error::Environment(_) | Error::ImagesUnavailable(_) => exit::ENVIRONMENT,
            Error::Regression(_) => exit::REGRESSION,
        }
    }
}

/// The exit code for an error chain: the first classified cause wins, anything else is a
/// plain failure.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
        .map_or(exit::FAILED, Error::exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn classified_cause_deep_in_the_chain_decides_the_code() {
        let err = Err::<(), _>(Error::Environment("docker is down".into()))
            .context("bringing up p01")
            .unwrap_err();
        assert_eq!(exit_code_of(&err), exit::ENVIRONMENT);
    }

    #[test]
    fn unclassified_error_is_a_failure() {
        assert_eq!(exit_code_of(&anyhow::anyhow!("boom")), exit::FAILED);
    }
}
