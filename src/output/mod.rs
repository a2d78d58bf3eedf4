//! The only place rtde writes progress to the terminal.

mod events;
mod reporter;

pub use events::{Event, ImageRow};
pub use reporter::{Console, Reporter, Style};
