//! PostgreSQL: Bronze rows appended with `COPY … FROM STDIN` into a typed table (created if
//! missing), the source table of the CDC pipelines. Columns keep the TLC names (quoted), so a
//! CDC connector emits the same field names as the Kafka events. Malformed messages are not
//! rows.

use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use futures_util::SinkExt;
use tokio_postgres::{CopyInSink, NoTls};

use super::{Sink, text};
use crate::error::Error;
use crate::generate::events::Event;
use crate::generate::schema::FIELDS;

const CONNECT_DEADLINE: Duration = Duration::from_secs(10);
/// COPY data is sent in chunks of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// Splits `?table=NAME` off a PostgreSQL URI (the driver rejects unknown parameters); the
/// table defaults to `raw_trips` and may be schema-qualified.
pub fn split_table(uri: &str) -> Result<(String, String), String> {
    let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut table = "raw_trips".to_string();
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("table=") {
            Some(name) => table = name.to_string(),
            None => kept.push(pair),
        }
    }
    let identifier = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !table.split('.').all(identifier) || table.split('.').count() > 2 {
        return Err(format!(
            "table '{table}' must be a name like raw_trips or schema.raw_trips"
        ));
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, table))
}

pub struct PostgresSink {
    runtime: tokio::runtime::Runtime,
    copy: Pin<Box<CopyInSink<Bytes>>>,
    chunk: Vec<u8>,
    table: String,
}

impl PostgresSink {
    pub fn connect(url: &str, table: &str) -> anyhow::Result<PostgresSink> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|err| {
            Error::InvalidInput(format!("the PostgreSQL URI is not valid: {err}"))
        })?;
        config.connect_timeout(CONNECT_DEADLINE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let copy = runtime.block_on(async {
            let (client, connection) = config.connect(NoTls).await.map_err(|err| {
                Error::Environment(format!(
                    "cannot connect to PostgreSQL for table {table} within {} s: {err}",
                    CONNECT_DEADLINE.as_secs()
                ))
            })?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::error!(%err, "PostgreSQL connection ended");
                }
            });
            let columns = FIELDS
                .iter()
                .map(|f| format!("\"{}\" {}", f.name, f.kind.postgres()))
                .collect::<Vec<_>>()
                .join(", ");
            client
                .batch_execute(&format!("CREATE TABLE IF NOT EXISTS {table} ({columns})"))
                .await
                .with_context(|| format!("creating table {table}"))?;
            let names = FIELDS
                .iter()
                .map(|f| format!("\"{}\"", f.name))
                .collect::<Vec<_>>()
                .join(", ");
            let copy = client
                .copy_in(&format!("COPY {table} ({names}) FROM STDIN"))
                .await
                .with_context(|| format!("starting COPY into {table}"))?;
            anyhow::Ok(Box::pin(copy))
        })?;
        Ok(PostgresSink {
            runtime,
            copy,
            chunk: Vec::with_capacity(CHUNK_BYTES + 1024),
            table: table.to_string(),
        })
    }

    fn send_chunk(&mut self) -> anyhow::Result<()> {
        let data = Bytes::from(std::mem::replace(
            &mut self.chunk,
            Vec::with_capacity(CHUNK_BYTES + 1024),
        ));
        self.runtime
            .block_on(self.copy.send(data))
            .with_context(|| format!("sending rows to {}", self.table))
    }
}

impl Sink for PostgresSink {
    fn write(&mut self, event: &Event, _payload: &[u8]) -> anyhow::Result<()> {
        if matches!(event, Event::Malformed(_)) {
            return Ok(());
        }
        text::push_row(&mut self.chunk, event.record(), b'\t', b"\\N");
        if self.chunk.len() >= CHUNK_BYTES {
            self.send_chunk()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        if !self.chunk.is_empty() {
            self.send_chunk()?;
        }
        let rows = self
            .runtime
            .block_on(self.copy.as_mut().finish())
            .with_context(|| format!("finishing COPY into {}", self.table))?;
        tracing::info!(rows, table = %self.table, "copied rows into PostgreSQL");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parameter_is_split_off_and_checked() {
        assert_eq!(
            split_table("postgres://u@h:1/db?table=s.t&sslmode=disable").unwrap(),
            (
                "postgres://u@h:1/db?sslmode=disable".to_string(),
                "s.t".to_string()
            )
        );
        assert_eq!(split_table("postgres://u@h/db").unwrap().1, "raw_trips");
        assert!(split_table("postgres://u@h/db?table=x;drop").is_err());
        assert!(split_table("postgres://u@h/db?table=1x").is_err());
    }
}
