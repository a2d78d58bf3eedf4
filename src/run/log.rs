//! A stage's log: written to `stages/NN-name.log` as output arrives (so a hung stage's log
//! can be read while it hangs), and kept in memory for the `capture` rules.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Output beyond this is still written to the file but no longer kept for captures; captures
/// look for summary lines, and a stage that prints gigabytes must not exhaust memory.
const KEPT_BYTES: usize = 32 << 20;

pub struct StageLog {
    file: BufWriter<File>,
    kept: String,
}

impl StageLog {
    pub fn create(path: &Path) -> Result<StageLog> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(StageLog {
            file: BufWriter::new(file),
            kept: String::new(),
        })
    }

    pub fn line(&mut self, line: &str) -> Result<()> {
        self.chunk(line.as_bytes())?;
        self.chunk(b"\n")
    }

    pub fn chunk(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .context("writing the stage log")?;
        self.file.flush().context("writing the stage log")?;
        if self.kept.len() < KEPT_BYTES {
            self.kept.push_str(&String::from_utf8_lossy(bytes));
        }
        Ok(())
    }

    /// A line from rtde itself (probe results, errors), marked so it is not mistaken for
    /// the command's output.
    pub fn note(&mut self, text: &str) -> Result<()> {
        self.line(&format!("[rtde] {text}"))
    }

    pub fn text(&self) -> &str {
        &self.kept
    }
}
