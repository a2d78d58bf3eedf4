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
}

impl JsonLinesSink {
    pub fn create(path: &Path) -> anyhow::Result<JsonLinesSink> {
        let file = create_file(path, "JSON lines")?;
        Ok(JsonLinesSink {
            out: BufWriter::with_capacity(BUFFER_BYTES, Box::new(file)),
            name: path.to_path_buf(),
        })
    }

    pub fn stdout() -> JsonLinesSink {
        JsonLinesSink {
            out: BufWriter::with_capacity(BUFFER_BYTES, Box::new(std::io::stdout())),
            name: PathBuf::from("stdout"),
        }
    }
}

impl Sink for JsonLinesSink {
    fn write(&mut self, _event: &Event, payload: &[u8]) -> anyhow::Result<()> {
        self.out
            .write_all(payload)
            .and_then(|()| self.out.write_all(b"\n"))
            .with_context(|| format!("writing events to {}", self.name.display()))
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        self.out
            .flush()
            .with_context(|| format!("flushing {}", self.name.display()))
    }
}
