//! The taxi model: zones, demand over time, fares, and the trip drawn from them.

pub mod demand;
pub mod fares;
pub mod trip;
pub mod zones;
