//! `rtde probe`: the Silver count, polled at a fixed interval from inside a stack, one line
//! per poll (`rtde probe: t_ms=<Unix ms> rows=<n>`) until it is stopped.
//!
//! It counts what any stack's sink can be counted by, without knowing the stack:
//! - `files:DIR/*.parquet`: the rows of each Parquet file's footer (a file is counted once
//!   its footer is written, and once only: a finished file never changes);
//! - `files:DIR/*.jsonl` (or any other suffix): complete lines, read on from where the last
//!   poll stopped;
//! - `postgres://…` with `--query`: the single number the query returns (a view's count);
//! - `kafka://host:port/TOPIC`: the messages in the topic (high minus low watermarks);
//! - `iceberg-rest://HOST:PORT/BASE?warehouse=W&table=NS.T`: the rows of an Iceberg table's
//!   current snapshot, from its REST catalog (`freshness::iceberg`).
//!
//! The time printed is taken when the count is complete: every row counted was visible by
//! then.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use super::iceberg;
use crate::error::Error;

/// The prefix of every poll line; the runner reads these back.
pub const PROBE_PREFIX: &str = "rtde probe: ";

/// Where the Silver count comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Files { dir: PathBuf, suffix: String },
    Postgres { url: String, query: String },
    Topic { brokers: String, topic: String },
    Iceberg(iceberg::Table),
}

const SOURCE_FORMS: &str = "files:DIR/*.SUFFIX (Parquet footers for .parquet, lines otherwise), postgres://… with --query, kafka://host:port/TOPIC, iceberg-rest://HOST:PORT/BASE?warehouse=W&table=NAMESPACE.TABLE";

impl Source {
    pub fn parse(uri: &str, query: Option<&str>) -> Result<Source> {
        let invalid = |why: &str| {
            Error::InvalidInput(format!(
                "--silver '{uri}': {why}; the forms are {SOURCE_FORMS}"
            ))
        };
        if let Some(rest) = uri.strip_prefix("files:") {
            let (dir, pattern) = rest.rsplit_once('/').ok_or_else(|| {
                invalid("give a folder and a pattern, e.g. /data/silver/*.parquet")
            })?;
            let Some(suffix) = pattern.strip_prefix('*') else {
                return Err(invalid("the pattern must be `*` and a suffix, e.g. *.parquet").into());
            };
            return Ok(Source::Files {
                dir: PathBuf::from(if dir.is_empty() { "/" } else { dir }),
                suffix: suffix.to_string(),
            });
        }
        if uri.starts_with("postgres://") || uri.starts_with("postgresql://") {
            let query = query.ok_or_else(|| invalid("a PostgreSQL source needs --query"))?;
            return Ok(Source::Postgres {
                url: uri.to_string(),
                query: query.to_string(),
            });
        }
        if let Some(rest) = uri.strip_prefix("kafka://") {
            let (brokers, topic) = rest
                .split_once('/')
                .filter(|(b, t)| !b.is_empty() && !t.is_empty())
                .ok_or_else(|| invalid("name the brokers and the topic"))?;
            return Ok(Source::Topic {
                brokers: brokers.to_string(),
                topic: topic.to_string(),
            });
        }
        if let Some(rest) = uri.strip_prefix("iceberg-rest://") {
            return Ok(Source::Iceberg(
                iceberg::Table::parse(rest).map_err(|why| invalid(&why))?,
            ));
        }
        Err(invalid("unknown source").into())
    }
}

/// Counts of files already read: a Parquet file by its footer (finished files do not
/// change), a line file by how far it was read.
#[derive(Default)]
pub struct FileCounter {
    parquet: BTreeMap<PathBuf, u64>,
    lines: BTreeMap<PathBuf, (u64, u64)>,
}

impl FileCounter {
    pub fn count(&mut self, dir: &Path, suffix: &str) -> Result<u64> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            // The sink has not made its folder yet: nothing is visible.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
        };
        let mut total = 0;
        for entry in entries {
            let path = entry?.path();
            let visible = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix) && !n.starts_with('.'));
            if !visible {
                continue;
            }
            total += if suffix.ends_with(".parquet") {
                self.parquet_rows(&path)
            } else {
                self.lines(&path)?
            };
        }
        Ok(total)
    }

    /// A file whose footer cannot be read yet (being written) counts 0 and is read again.
    fn parquet_rows(&mut self, path: &Path) -> u64 {
        if let Some(&rows) = self.parquet.get(path) {
            return rows;
        }
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let rows = std::fs::File::open(path)
            .ok()
            .and_then(|f| SerializedFileReader::new(f).ok())
            .map(|r| r.metadata().file_metadata().num_rows().max(0) as u64);
        match rows {
            Some(rows) => {
                self.parquet.insert(path.to_path_buf(), rows);
                rows
            }
            None => 0,
        }
    }

    fn lines(&mut self, path: &Path) -> Result<u64> {
        let (offset, count) = self.lines.get(path).copied().unwrap_or((0, 0));
        let mut file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        file.seek(SeekFrom::Start(offset))?;
        let mut rest = Vec::new();
        file.read_to_end(&mut rest)?;
        // Only complete lines: a line being written is counted once its newline is.
        let complete = rest.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let count = count + rest[..complete].iter().filter(|&&b| b == b'\n').count() as u64;
        self.lines
            .insert(path.to_path_buf(), (offset + complete as u64, count));
        Ok(count)
    }
}

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn topic_count(brokers: &str, topic: &str) -> Result<u64> {
    use rdkafka::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .context("configuring a Kafka client")?;
    let timeout = Duration::from_secs(5);
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .with_context(|| format!("reading the metadata of {topic}"))?;
    let mut total = 0;
    for t in metadata.topics() {
        for p in t.partitions() {
            let (low, high) = consumer.fetch_watermarks(topic, p.id(), timeout)?;
            total += (high - low).max(0) as u64;
        }
    }
    Ok(total)
}

/// Polls `source` every `interval` (a schedule: a slow count delays the next poll, never
/// shifts the ones after it) and prints a line per poll, for ever, or for `polls` polls.
pub fn run(
    source: &Source,
    interval: Duration,
    polls: Option<u64>,
    out: &mut dyn Write,
) -> Result<()> {
    if interval.is_zero() {
        bail!(Error::InvalidInput("--interval must be above zero".into()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let postgres = match source {
        Source::Postgres { url, .. } => Some(runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .with_context(|| format!("connecting to {url}"))?;
            tokio::spawn(connection);
            anyhow::Ok(client)
        })?),
        _ => None,
    };
    let mut files = FileCounter::default();
    let start = Instant::now();
    let mut n = 0u64;
    while polls.is_none_or(|p| n < p) {
        let rows = match source {
            Source::Files { dir, suffix } => files.count(dir, suffix)?,
            Source::Topic { brokers, topic } => topic_count(brokers, topic)?,
            Source::Iceberg(table) => runtime.block_on(table.count())?,
            Source::Postgres { query, .. } => {
                let client = postgres.as_ref().expect("connected above");
                // The relation may not exist yet (a view the processor creates): 0 rows.
                match runtime.block_on(client.query_one(query.as_str(), &[])) {
                    Ok(row) => row
                        .try_get::<_, i64>(0)
                        .with_context(|| format!("`{query}` must return one bigint"))?
                        .max(0) as u64,
                    Err(_) => 0,
                }
            }
        };
        writeln!(out, "{PROBE_PREFIX}t_ms={:.1} rows={rows}", unix_ms())?;
        out.flush()?;
        n += 1;
        let next = start + interval.mul_f64(n as f64);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait); // the poll schedule: the probe's resolution
        }
    }
    Ok(())
}

/// One poll read back: when (Unix ms) and how many Silver rows were visible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poll {
    pub t_ms: f64,
    pub rows: u64,
}

pub fn parse_line(line: &str) -> Option<Poll> {
    let rest = line.split_once(PROBE_PREFIX)?.1;
    let mut t_ms = None;
    let mut rows = None;
    for part in rest.split_whitespace() {
        if let Some(v) = part.strip_prefix("t_ms=") {
            t_ms = v.parse().ok();
        } else if let Some(v) = part.strip_prefix("rows=") {
            rows = v.parse().ok();
        }
    }
    Some(Poll {
        t_ms: t_ms?,
        rows: rows?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_and_bad_ones_list_the_forms() {
        assert_eq!(
            Source::parse("files:/data/silver/*.parquet", None).unwrap(),
            Source::Files {
                dir: "/data/silver".into(),
                suffix: ".parquet".into()
            }
        );
        assert_eq!(
            Source::parse("kafka://broker:9092/taxi.silver", None).unwrap(),
            Source::Topic {
                brokers: "broker:9092".into(),
                topic: "taxi.silver".into()
            }
        );
        assert!(matches!(
            Source::parse("postgres://u@h/db", Some("select count(*) from t")).unwrap(),
            Source::Postgres { .. }
        ));
        for bad in ["files:/data/x.parquet", "s3://b/x", "kafka://broker:9092"] {
            let err = Source::parse(bad, None).unwrap_err();
            assert!(format!("{err:#}").contains("the forms are"), "{err:#}");
        }
        assert!(
            format!("{:#}", Source::parse("postgres://h/db", None).unwrap_err())
                .contains("--query")
        );
    }

    #[test]
    fn line_files_count_complete_lines_only_and_read_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut counter = FileCounter::default();
        assert_eq!(
            counter.count(&dir.path().join("absent"), ".jsonl").unwrap(),
            0
        );
        let path = dir.path().join("part-0.jsonl");
        std::fs::write(&path, "a\nb\npartial").unwrap();
        std::fs::write(dir.path().join(".hidden.jsonl"), "x\n").unwrap();
        std::fs::write(dir.path().join("other.txt"), "x\n").unwrap();
        assert_eq!(counter.count(dir.path(), ".jsonl").unwrap(), 2);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b" done\nc\n").unwrap();
        assert_eq!(counter.count(dir.path(), ".jsonl").unwrap(), 4);
    }

    #[test]
    fn parquet_files_count_their_footers_and_unfinished_ones_count_zero() {
        use parquet::data_type::Int64Type;
        use parquet::file::writer::SerializedFileWriter;
        use parquet::schema::parser::parse_message_type;
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let schema = Arc::new(parse_message_type("message m { required int64 id; }").unwrap());
        let file = std::fs::File::create(dir.path().join("part-0.parquet")).unwrap();
        let mut writer = SerializedFileWriter::new(file, schema, Default::default()).unwrap();
        let mut group = writer.next_row_group().unwrap();
        let mut column = group.next_column().unwrap().unwrap();
        column
            .typed::<Int64Type>()
            .write_batch(&[1, 2, 3], None, None)
            .unwrap();
        column.close().unwrap();
        group.close().unwrap();
        writer.close().unwrap();
        std::fs::write(dir.path().join("part-1.parquet"), b"PAR1 being written").unwrap();
        let mut counter = FileCounter::default();
        assert_eq!(counter.count(dir.path(), ".parquet").unwrap(), 3);
    }

    #[test]
    fn poll_lines_read_back() {
        assert_eq!(
            parse_line("rtde probe: t_ms=1000.5 rows=42"),
            Some(Poll {
                t_ms: 1000.5,
                rows: 42
            })
        );
        assert_eq!(parse_line("rows=1"), None);
    }
}
