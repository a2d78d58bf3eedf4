//! Exports of a comparison in hyperfine's shapes, so that tools reading hyperfine's files read
//! rtde's.
//!
//! As in hyperfine, every format sits behind one [`Exporter`] trait whose only job is to turn
//! the results into bytes; the caller decides where the bytes go, which keeps the formats
//! testable as plain strings.

mod csv;
pub mod json;
mod markdown;

use anyhow::Result;

use crate::results::comparison::Comparison;

pub trait Exporter {
    fn serialize(&self, comparison: &Comparison) -> Result<Vec<u8>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Markdown,
}

pub fn exporter(format: ExportFormat) -> Box<dyn Exporter> {
    match format {
        ExportFormat::Json => Box::new(json::JsonExporter),
        ExportFormat::Csv => Box::new(csv::CsvExporter),
        ExportFormat::Markdown => Box::new(markdown::MarkdownExporter),
    }
}

/// hyperfine's `exit_codes`: what `rtde bench` exits with for a run of that status.
fn exit_code_of_status(label: &str) -> i32 {
    use crate::exit;
    use crate::results::record::RunStatus;
    if label == RunStatus::Passed.label() {
        exit::OK
    } else if label == RunStatus::Interrupted.label() {
        exit::INTERRUPTED
    } else {
        exit::FAILED
    }
}
