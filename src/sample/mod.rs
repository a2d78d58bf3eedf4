//! Memory and CPU of a run's containers, as the kernel counts them.
//!
//! This module only measures; it never prints. The harness starts a sampler at `up`, marks
//! stage boundaries, and stops it before `down`, receiving a [`ResourceReport`].

mod report;

pub use report::ResourceReport;
mod sampler;

pub use sampler::{Sampler, SamplerConfig};
