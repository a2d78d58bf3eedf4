//! JSON lines: exactly the Kafka payloads, one per line, malformed ones included; also the
//! `stdout` sink.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Sink, create_file};
use crate::generate::events::Event;

const BUFFER_BYTES: usize = 1 << 20;

pub struct JsonLinesSink {
    out: BufWriter<Box<dyn Write>>,
    name: PathBuf,
    /// For stdout: the reader (`| head`, a closed pipe) has gone, which ends this sink's
    /// output quietly, as a shell user expects, while the other sinks carry on.
    reader_gone: bool,
    is_stdout: bool,
}

impl JsonLinesSink {
    pub fn create(path: &Path) -> anyhow::Result<JsonLinesSink> {
        let file = create_file(path, "JSON lines")?;
        Ok(JsonLinesSink {
            out: BufWriter::with_capacity(BUFFER_BYTES, Box::new(file)),
            name: path.to_path_buf(),
            reader_gone: false,
            is_stdout: false,
        })
    }

    pub fn stdout() -> JsonLinesSink {
        JsonLinesSink {
            out: BufWriter::with_capacity(BUFFER_BYTES, Box::new(std::io::stdout())),
            name: PathBuf::from("stdout"),
            reader_gone: false,
            is_stdout: true,
        }
    }
}

impl JsonLinesSink {
    /// A broken pipe on stdout means the reader has stopped: not an error.
    fn settle(&mut self, result: std::io::Result<()>) -> std::io::Result<()> {
        match result {
            Err(err) if self.is_stdout && err.kind() == std::io::ErrorKind::BrokenPipe => {
                self.reader_gone = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Sink for JsonLinesSink {
    fn write(&mut self, _event: &Event, payload: &[u8]) -> anyhow::Result<()> {
        if self.reader_gone {
            return Ok(());
        }
        let written = self
            .out
            .write_all(payload)
            .and_then(|()| self.out.write_all(b"\n"));
        self.settle(written)
            .with_context(|| format!("writing events to {}", self.name.display()))
    }

    fn idle(&mut self) -> anyhow::Result<()> {
        if self.reader_gone {
            return Ok(());
        }
        let flushed = self.out.flush();
        self.settle(flushed)
            .with_context(|| format!("flushing {}", self.name.display()))
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        if self.reader_gone {
            return Ok(());
        }
        let flushed = self.out.flush();
        self.settle(flushed)
            .with_context(|| format!("flushing {}", self.name.display()))
    }
}
