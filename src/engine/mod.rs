//! Adapters to the outside world: Compose through its CLI, the engine through its API.
//!
//! Nothing here knows about manifests or runs; callers pass plain names and paths.

pub mod compose;
pub mod docker;
