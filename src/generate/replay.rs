//! `--from FILE.parquet`: replay a real TLC yellow-taxi Parquet file (or one rtde wrote)
//! instead of generating, in file order.
//!
//! Each row becomes an event with a trip id from its row number (or its own `trip_id` column
//! when the file has one); the oracle classifies it by the canonical Silver rules, and a row whose trip id was
//! already kept is a duplicate. Real files
//! have gaps rtde's records do not: a null `RatecodeID` becomes 99 (TLC's "unknown"), a null
//! amount 0 and a null flag `N`; a row without both timestamps cannot be an event and is
//! skipped (counted in the log).

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use parquet::file::reader::SerializedFileReader;
use parquet::record::{Field, Row};

use crate::error::Error;
use crate::generate::dirty::{self, Window};
use crate::generate::events::Event;
use crate::generate::record::{Money, TripRecord};

const MICROS_PER_SECOND: i64 = 1_000_000;

fn integer(field: &Field) -> Option<i64> {
    match field {
        Field::Byte(v) => Some(i64::from(*v)),
        Field::Short(v) => Some(i64::from(*v)),
        Field::Int(v) => Some(i64::from(*v)),
        Field::Long(v) => Some(*v),
        Field::UByte(v) => Some(i64::from(*v)),
        Field::UShort(v) => Some(i64::from(*v)),
        Field::UInt(v) => Some(i64::from(*v)),
        // Some TLC years store counts as doubles.
        Field::Double(v) => Some(v.round() as i64),
        Field::Float(v) => Some(f64::from(*v).round() as i64),
        _ => None,
    }
}

fn hundredths(field: &Field) -> Option<i64> {
    match field {
        Field::Double(v) => Some((v * 100.0).round() as i64),
        Field::Float(v) => Some((f64::from(*v) * 100.0).round() as i64),
        other => integer(other).map(|v| v * 100),
    }
}

fn seconds(field: &Field) -> Option<i64> {
    match field {
        Field::TimestampMicros(v) | Field::Long(v) => Some(v.div_euclid(MICROS_PER_SECOND)),
        Field::TimestampMillis(v) => Some(v.div_euclid(1000)),
        _ => None,
    }
}

/// One Parquet row as a record, or `None` when it has no usable timestamps.
fn record_of(row: &Row, fallback_trip_id: u64) -> Option<TripRecord> {
    let mut record = TripRecord {
        trip_id: fallback_trip_id,
        vendor_id: 0,
        pickup: 0,
        dropoff: 0,
        passenger_count: None,
        distance: 0,
        rate_code: 99,
        store_and_fwd: false,
        pickup_zone: 0,
        dropoff_zone: 0,
        payment_type: 0,
        money: Money::default(),
    };
    let (mut pickup, mut dropoff) = (None, None);
    for (name, field) in row.get_column_iter() {
        let money = &mut record.money;
        match name.to_ascii_lowercase().as_str() {
            "trip_id" => {
                if let Field::Str(text) = field {
                    record.trip_id = u64::from_str_radix(text, 16).unwrap_or(fallback_trip_id);
                }
            }
            "vendorid" => record.vendor_id = integer(field).unwrap_or(0) as i32,
            "tpep_pickup_datetime" => pickup = seconds(field),
            "tpep_dropoff_datetime" => dropoff = seconds(field),
            "passenger_count" => record.passenger_count = integer(field),
            "trip_distance" => record.distance = hundredths(field).unwrap_or(0),
            "ratecodeid" => record.rate_code = integer(field).unwrap_or(99),
            "store_and_fwd_flag" => {
                record.store_and_fwd = matches!(field, Field::Str(flag) if flag == "Y")
            }
            "pulocationid" => record.pickup_zone = integer(field).unwrap_or(0) as i32,
            "dolocationid" => record.dropoff_zone = integer(field).unwrap_or(0) as i32,
            "payment_type" => record.payment_type = integer(field).unwrap_or(0),
            "fare_amount" => money.fare_amount = hundredths(field).unwrap_or(0),
            "extra" => money.extra = hundredths(field).unwrap_or(0),
            "mta_tax" => money.mta_tax = hundredths(field).unwrap_or(0),
            "tip_amount" => money.tip_amount = hundredths(field).unwrap_or(0),
            "tolls_amount" => money.tolls_amount = hundredths(field).unwrap_or(0),
            "improvement_surcharge" => money.improvement_surcharge = hundredths(field).unwrap_or(0),
            "total_amount" => money.total_amount = hundredths(field).unwrap_or(0),
            "congestion_surcharge" => money.congestion_surcharge = hundredths(field).unwrap_or(0),
            "airport_fee" => money.airport_fee = hundredths(field).unwrap_or(0),
            "cbd_congestion_fee" => money.cbd_congestion_fee = hundredths(field).unwrap_or(0),
            _ => {}
        }
    }
    record.pickup = pickup?;
    record.dropoff = dropoff?;
    Some(record)
}

/// Events from the first `limit` usable rows of `path`.
pub fn events(
    path: &Path,
    limit: u64,
    window: Window,
    trip_id_of_row: impl Fn(u64) -> u64,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Event>>> {
    let file = File::open(path).map_err(|err| {
        Error::InvalidInput(format!("cannot open --from file {}: {err}", path.display()))
    })?;
    let reader = SerializedFileReader::new(file).map_err(|err| {
        Error::InvalidInput(format!(
            "--from file {} is not Parquet: {err}",
            path.display()
        ))
    })?;
    let name = path.display().to_string();
    let mut skipped = 0u64;
    let mut row_number = 0u64;
    let mut seen_trip_ids = HashSet::new();
    let rows = reader.into_iter().filter_map(move |row| {
        let row = match row.with_context(|| format!("reading a row of {name}")) {
            Ok(row) => row,
            Err(err) => return Some(Err(err)),
        };
        row_number += 1;
        match record_of(&row, trip_id_of_row(row_number - 1)) {
            Some(record) => Some(Ok(match dirty::silver_rejects(&record, window) {
                Some(category) => Event::Dirty(category, record),
                None if !seen_trip_ids.insert(record.trip_id) => Event::Duplicate(record),
                None => Event::Clean(record),
            })),
            None => {
                skipped += 1;
                tracing::warn!(
                    row = row_number,
                    skipped,
                    "skipping a row without both timestamps"
                );
                None
            }
        }
    });
    Ok(rows.take(usize::try_from(limit).unwrap_or(usize::MAX)))
}
