//! Parquet: Bronze rows with the column types of the TLC 2024 yellow-taxi files (so a reader
//! of the real files reads these), plus `trip_id` first. Malformed messages are not rows.
//!
//! Written with the `parquet` crate's column writers rather than Arrow: the rows are already
//! columns of integers here, and Arrow would double the build time for nothing.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use anyhow::Context;
use bytes::Bytes;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::{Sink, create_file};
use crate::generate::events::Event;
use crate::generate::record::{TripRecord, push_trip_id};
use crate::generate::schema;

/// Rows per row group: large enough for good compression and few footers, small enough to
/// keep the buffered columns around 20 MB.
const ROW_GROUP_ROWS: usize = 128 * 1024;

const MICROS_PER_SECOND: i64 = 1_000_000;
const TRIP_ID_DIGITS: usize = 16;

#[derive(Default)]
struct Columns {
    /// The trip ids' hex digits back to back (16 bytes each): one allocation per row group
    /// instead of one per row; the row values are slices of it.
    trip_id_digits: Vec<u8>,
    vendor_id: Vec<i32>,
    pickup: Vec<i64>,
    dropoff: Vec<i64>,
    passenger_count: Vec<i64>,
    passenger_defined: Vec<i16>,
    distance: Vec<f64>,
    rate_code: Vec<i64>,
    store_and_fwd: Vec<bool>,
    pickup_zone: Vec<i32>,
    dropoff_zone: Vec<i32>,
    payment_type: Vec<i64>,
    money: [Vec<f64>; 10],
}

fn hundredths(value: i64) -> f64 {
    value as f64 / 100.0
}

impl Columns {
    fn push(&mut self, record: &TripRecord) {
        push_trip_id(&mut self.trip_id_digits, record.trip_id);
        self.vendor_id.push(record.vendor_id);
        self.pickup.push(record.pickup * MICROS_PER_SECOND);
        self.dropoff.push(record.dropoff * MICROS_PER_SECOND);
        match record.passenger_count {
            Some(count) => {
                self.passenger_count.push(count);
                self.passenger_defined.push(1);
            }
            None => self.passenger_defined.push(0),
        }
        self.distance.push(hundredths(record.distance));
        self.rate_code.push(record.rate_code);
        self.store_and_fwd.push(record.store_and_fwd);
        self.pickup_zone.push(record.pickup_zone);
        self.dropoff_zone.push(record.dropoff_zone);
        self.payment_type.push(record.payment_type);
        for (column, (_, cents)) in self.money.iter_mut().zip(record.money.named()) {
            column.push(hundredths(cents));
        }
    }

    fn rows(&self) -> usize {
        self.vendor_id.len()
    }

    fn trip_ids(&mut self) -> Vec<ByteArray> {
        let digits = Bytes::from(std::mem::take(&mut self.trip_id_digits));
        (0..digits.len() / TRIP_ID_DIGITS)
            .map(|row| {
                ByteArray::from(digits.slice(row * TRIP_ID_DIGITS..(row + 1) * TRIP_ID_DIGITS))
            })
            .collect()
    }

    fn flags(&self) -> Vec<ByteArray> {
        let (yes, no) = (Bytes::from_static(b"Y"), Bytes::from_static(b"N"));
        self.store_and_fwd
            .iter()
            .map(|&flag| ByteArray::from(if flag { yes.clone() } else { no.clone() }))
            .collect()
    }
}

/// Encodes row groups into the file; runs on its own thread so that Parquet's encoding and
/// compression overlap with generation and the other sinks.
struct RowGroupWriter {
    writer: SerializedFileWriter<File>,
    all_defined: Vec<i16>,
}

impl RowGroupWriter {
    fn write(&mut self, mut columns: Columns) -> anyhow::Result<()> {
        let rows = columns.rows();
        self.all_defined.resize(rows, 1);
        let defined = Some(&self.all_defined[..rows]);
        let (trip_ids, flags) = (columns.trip_ids(), columns.flags());
        let mut group = self.writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            let _rows_written = match index {
                0 => column
                    .typed::<ByteArrayType>()
                    .write_batch(&trip_ids, None, None)?,
                1 => column
                    .typed::<Int32Type>()
                    .write_batch(&columns.vendor_id, defined, None)?,
                2 => column
                    .typed::<Int64Type>()
                    .write_batch(&columns.pickup, defined, None)?,
                3 => column
                    .typed::<Int64Type>()
                    .write_batch(&columns.dropoff, defined, None)?,
                4 => column.typed::<Int64Type>().write_batch(
                    &columns.passenger_count,
                    Some(&columns.passenger_defined),
                    None,
                )?,
                5 => column
                    .typed::<DoubleType>()
                    .write_batch(&columns.distance, defined, None)?,
                6 => column
                    .typed::<Int64Type>()
                    .write_batch(&columns.rate_code, defined, None)?,
                7 => column
                    .typed::<ByteArrayType>()
                    .write_batch(&flags, defined, None)?,
                8 => {
                    column
                        .typed::<Int32Type>()
                        .write_batch(&columns.pickup_zone, defined, None)?
                }
                9 => {
                    column
                        .typed::<Int32Type>()
                        .write_batch(&columns.dropoff_zone, defined, None)?
                }
                10 => {
                    column
                        .typed::<Int64Type>()
                        .write_batch(&columns.payment_type, defined, None)?
                }
                money => column.typed::<DoubleType>().write_batch(
                    &columns.money[money - 11],
                    defined,
                    None,
                )?,
            };
            column.close()?;
            index += 1;
        }
        group.close()?;
        Ok(())
    }
}

/// Row groups waiting for the encoder thread.
const ROW_GROUPS_AHEAD: usize = 2;

pub struct ParquetSink {
    columns: Columns,
    row_groups: Option<mpsc::SyncSender<Columns>>,
    encoder: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    path: PathBuf,
}

impl ParquetSink {
    pub fn create(path: &Path) -> anyhow::Result<ParquetSink> {
        let file = create_file(path, "Parquet")?;
        let schema = Arc::new(
            parse_message_type(&schema::parquet_message_type())
                .context("parsing the Bronze Parquet schema")?,
        );
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!("rtde {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let writer = SerializedFileWriter::new(file, schema, properties)
            .with_context(|| format!("starting Parquet file {}", path.display()))?;
        let (row_groups, incoming) = mpsc::sync_channel::<Columns>(ROW_GROUPS_AHEAD);
        let name = path.display().to_string();
        let encoder = std::thread::spawn(move || {
            let mut writer = RowGroupWriter {
                writer,
                all_defined: Vec::new(),
            };
            for columns in incoming {
                writer
                    .write(columns)
                    .with_context(|| format!("writing a row group to {name}"))?;
            }
            writer
                .writer
                .close()
                .with_context(|| format!("closing {name}"))?;
            Ok(())
        });
        Ok(ParquetSink {
            columns: Columns::default(),
            row_groups: Some(row_groups),
            encoder: Some(encoder),
            path: path.to_path_buf(),
        })
    }

    /// Hands the buffered rows to the encoder; if it has stopped, its error is the answer.
    fn send_row_group(&mut self) -> anyhow::Result<()> {
        let columns = std::mem::take(&mut self.columns);
        let sent = self
            .row_groups
            .as_ref()
            .is_some_and(|sender| sender.send(columns).is_ok());
        if sent { Ok(()) } else { self.join_encoder() }
    }

    fn join_encoder(&mut self) -> anyhow::Result<()> {
        self.row_groups.take();
        match self.encoder.take() {
            Some(encoder) => encoder.join().map_err(|_| {
                anyhow::anyhow!("the Parquet encoder for {} panicked", self.path.display())
            })?,
            None => Ok(()),
        }
    }
}

impl Sink for ParquetSink {
    fn write(&mut self, event: &Event, _payload: &[u8]) -> anyhow::Result<()> {
        if matches!(event, Event::Malformed(_)) {
            return Ok(());
        }
        self.columns.push(event.record());
        if self.columns.rows() >= ROW_GROUP_ROWS {
            self.send_row_group()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        if self.columns.rows() > 0 {
            self.send_row_group()?;
        }
        self.join_encoder()
    }
}
