//! CSV: Bronze rows with a header of the TLC column names (trip_id first); a null passenger
//! count is an empty field; malformed messages are not rows.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Sink, create_file, text};
use crate::generate::events::Event;
use crate::generate::schema::FIELDS;

pub struct CsvSink {
    out: BufWriter<std::fs::File>,
    row: Vec<u8>,
    path: PathBuf,
}

impl CsvSink {
    pub fn create(path: &Path) -> anyhow::Result<CsvSink> {
        let mut out = BufWriter::with_capacity(1 << 20, create_file(path, "CSV")?);
        let header = FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(",");
        writeln!(out, "{header}").with_context(|| format!("writing {}", path.display()))?;
        Ok(CsvSink {
            out,
            row: Vec::with_capacity(512),
            path: path.to_path_buf(),
        })
    }
}

impl Sink for CsvSink {
    fn write(&mut self, event: &Event, _payload: &[u8]) -> anyhow::Result<()> {
        if matches!(event, Event::Malformed(_)) {
            return Ok(());
        }
        self.row.clear();
        text::push_row(&mut self.row, event.record(), b',', b"");
        self.out
            .write_all(&self.row)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        self.out
            .flush()
            .with_context(|| format!("flushing {}", self.path.display()))
    }
}
