//! One trip record in integer form, and its JSON event rendering.
//!
//! Money and distance are integer hundredths (cents, hundredths of a mile) so sums are exact
//! and formatting never depends on a platform's float printing; timestamps are naive local
//! seconds (see [`civil`]). The JSON writer is hand-written because it runs once per event and
//! its output is a contract: field order and number format are fixed here and nowhere else.

use crate::generate::civil;
use crate::generate::digits::{Cursor, MAX_INT_BYTES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripRecord {
    pub trip_id: u64,
    pub vendor_id: i32,
    pub pickup: i64,
    pub dropoff: i64,
    pub passenger_count: Option<i64>,
    /// Hundredths of a mile.
    pub distance: i64,
    pub rate_code: i64,
    pub store_and_fwd: bool,
    pub pickup_zone: i32,
    pub dropoff_zone: i32,
    pub payment_type: i64,
    pub money: Money,
}

/// The ten money fields, in cents, in event order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Money {
    pub fare_amount: i64,
    pub extra: i64,
    pub mta_tax: i64,
    pub tip_amount: i64,
    pub tolls_amount: i64,
    pub improvement_surcharge: i64,
    pub total_amount: i64,
    pub congestion_surcharge: i64,
    pub airport_fee: i64,
    pub cbd_congestion_fee: i64,
}

impl Money {
    /// The sum of the parts, which is `total_amount` for every record the generator makes.
    pub fn parts_sum(&self) -> i64 {
        self.fare_amount
            + self.extra
            + self.mta_tax
            + self.tip_amount
            + self.tolls_amount
            + self.improvement_surcharge
            + self.congestion_surcharge
            + self.airport_fee
            + self.cbd_congestion_fee
    }

    /// The fields with their TLC names, in event order.
    pub fn named(&self) -> [(&'static str, i64); 10] {
        [
            ("fare_amount", self.fare_amount),
            ("extra", self.extra),
            ("mta_tax", self.mta_tax),
            ("tip_amount", self.tip_amount),
            ("tolls_amount", self.tolls_amount),
            ("improvement_surcharge", self.improvement_surcharge),
            ("total_amount", self.total_amount),
            ("congestion_surcharge", self.congestion_surcharge),
            ("Airport_fee", self.airport_fee),
            ("cbd_congestion_fee", self.cbd_congestion_fee),
        ]
    }

    pub fn negated(&self) -> Money {
        Money {
            fare_amount: -self.fare_amount,
            extra: -self.extra,
            mta_tax: -self.mta_tax,
            tip_amount: -self.tip_amount,
            tolls_amount: -self.tolls_amount,
            improvement_surcharge: -self.improvement_surcharge,
            total_amount: -self.total_amount,
            congestion_surcharge: -self.congestion_surcharge,
            airport_fee: -self.airport_fee,
            cbd_congestion_fee: -self.cbd_congestion_fee,
        }
    }
}

/// Appends what `write` puts in a [`Cursor`] over a stack buffer of `N` bytes.
fn push_with<const N: usize>(out: &mut Vec<u8>, write: impl FnOnce(&mut Cursor)) {
    let mut buf = [0u8; N];
    let mut cursor = Cursor::new(&mut buf);
    write(&mut cursor);
    out.extend_from_slice(cursor.written());
}

/// Appends a decimal integer.
pub fn push_int(out: &mut Vec<u8>, value: i64) {
    push_with::<MAX_INT_BYTES>(out, |c| c.int(value));
}

/// Appends hundredths as a decimal with exactly two places: 1234 → `12.34`, -5 → `-0.05`.
pub fn push_hundredths(out: &mut Vec<u8>, value: i64) {
    push_with::<{ MAX_INT_BYTES + 2 }>(out, |c| c.hundredths(value));
}

/// Appends the trip id: 16 lowercase hex digits.
pub fn push_trip_id(out: &mut Vec<u8>, trip_id: u64) {
    push_with::<16>(out, |c| c.hex16(trip_id));
}

/// The longest JSON object [`TripRecord::write_json`] can write: its 21 names with their
/// punctuation (368 bytes), two timestamps, the trip id, the flag, and every other value
/// as wide as an `i64` or a `-…\.dd` hundredths can be (`extreme_values_fit` writes it).
const MAX_JSON_BYTES: usize = 368 + 2 * 19 + 16 + 1 + 17 * (MAX_INT_BYTES + 2);

impl TripRecord {
    /// Appends the event's JSON object (no trailing newline), fields in contract order.
    ///
    /// The output is the contract: the same bytes as `serde_json` would write for these
    /// integers and strings (money and miles as exact two-place decimals), pinned by the
    /// tests below and by `generate_files`' digests.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + MAX_JSON_BYTES, 0);
        let mut c = Cursor::new(&mut out[start..]);
        c.bytes(b"{\"trip_id\":\"");
        c.hex16(self.trip_id);
        c.bytes(b"\",\"VendorID\":");
        c.int(i64::from(self.vendor_id));
        c.bytes(b",\"tpep_pickup_datetime\":\"");
        c.bytes(&civil::timestamp_bytes(self.pickup, b'T'));
        c.bytes(b"\",\"tpep_dropoff_datetime\":\"");
        c.bytes(&civil::timestamp_bytes(self.dropoff, b'T'));
        c.bytes(b"\",\"passenger_count\":");
        match self.passenger_count {
            Some(count) => c.int(count),
            None => c.bytes(b"null"),
        }
        c.bytes(b",\"trip_distance\":");
        c.hundredths(self.distance);
        c.bytes(b",\"RatecodeID\":");
        c.int(self.rate_code);
        c.bytes(if self.store_and_fwd {
            b",\"store_and_fwd_flag\":\"Y\",\"PULocationID\":"
        } else {
            b",\"store_and_fwd_flag\":\"N\",\"PULocationID\":"
        });
        c.int(i64::from(self.pickup_zone));
        c.bytes(b",\"DOLocationID\":");
        c.int(i64::from(self.dropoff_zone));
        c.bytes(b",\"payment_type\":");
        c.int(self.payment_type);
        // Written out rather than looped over `Money::named`, so that each name is copied
        // with its length known at compile time.
        let money = &self.money;
        c.bytes(b",\"fare_amount\":");
        c.hundredths(money.fare_amount);
        c.bytes(b",\"extra\":");
        c.hundredths(money.extra);
        c.bytes(b",\"mta_tax\":");
        c.hundredths(money.mta_tax);
        c.bytes(b",\"tip_amount\":");
        c.hundredths(money.tip_amount);
        c.bytes(b",\"tolls_amount\":");
        c.hundredths(money.tolls_amount);
        c.bytes(b",\"improvement_surcharge\":");
        c.hundredths(money.improvement_surcharge);
        c.bytes(b",\"total_amount\":");
        c.hundredths(money.total_amount);
        c.bytes(b",\"congestion_surcharge\":");
        c.hundredths(money.congestion_surcharge);
        c.bytes(b",\"Airport_fee\":");
        c.hundredths(money.airport_fee);
        c.bytes(b",\"cbd_congestion_fee\":");
        c.hundredths(money.cbd_congestion_fee);
        c.byte(b'}');
        let written = c.len();
        out.truncate(start + written);
    }
}

/// The JSON writer as it was before the [`Cursor`] rewrite (25 November to 2 December 2026),
/// kept verbatim as the reference the rewrite must equal byte for byte: digit by digit into
/// a `Vec`, the civil date through `civil::civil_from_days`.
#[cfg(test)]
pub mod reference {
    use super::TripRecord;
    use crate::generate::civil::{SECONDS_PER_DAY, civil_from_days};

    fn push_uint(out: &mut Vec<u8>, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
    }

    fn push_int(out: &mut Vec<u8>, value: i64) {
        if value < 0 {
            out.push(b'-');
        }
        push_uint(out, value.unsigned_abs());
    }

    fn push_hundredths(out: &mut Vec<u8>, value: i64) {
        if value < 0 {
            out.push(b'-');
        }
        let magnitude = value.unsigned_abs();
        push_uint(out, magnitude / 100);
        out.push(b'.');
        let cents = (magnitude % 100) as u8;
        out.push(b'0' + cents / 10);
        out.push(b'0' + cents % 10);
    }

    fn push_trip_id(out: &mut Vec<u8>, trip_id: u64) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for shift in (0..16).rev() {
            out.push(HEX[((trip_id >> (shift * 4)) & 0xf) as usize]);
        }
    }

    fn push_two(out: &mut Vec<u8>, value: u32) {
        out.push(b'0' + (value / 10) as u8);
        out.push(b'0' + (value % 10) as u8);
    }

    fn push_timestamp(out: &mut Vec<u8>, seconds: i64, sep: u8) {
        let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
        let year = year.clamp(0, 9999) as u32;
        push_two(out, year / 100);
        push_two(out, year % 100);
        out.push(b'-');
        push_two(out, month);
        out.push(b'-');
        push_two(out, day);
        out.push(sep);
        let in_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
        push_two(out, in_day / 3600);
        out.push(b':');
        push_two(out, in_day / 60 % 60);
        out.push(b':');
        push_two(out, in_day % 60);
    }

    pub fn write_json(record: &TripRecord, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"trip_id\":\"");
        push_trip_id(out, record.trip_id);
        out.extend_from_slice(b"\",\"VendorID\":");
        push_int(out, i64::from(record.vendor_id));
        out.extend_from_slice(b",\"tpep_pickup_datetime\":\"");
        push_timestamp(out, record.pickup, b'T');
        out.extend_from_slice(b"\",\"tpep_dropoff_datetime\":\"");
        push_timestamp(out, record.dropoff, b'T');
        out.extend_from_slice(b"\",\"passenger_count\":");
        match record.passenger_count {
            Some(count) => push_int(out, count),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"trip_distance\":");
        push_hundredths(out, record.distance);
        out.extend_from_slice(b",\"RatecodeID\":");
        push_int(out, record.rate_code);
        out.extend_from_slice(b",\"store_and_fwd_flag\":\"");
        out.push(if record.store_and_fwd { b'Y' } else { b'N' });
        out.extend_from_slice(b"\",\"PULocationID\":");
        push_int(out, i64::from(record.pickup_zone));
        out.extend_from_slice(b",\"DOLocationID\":");
        push_int(out, i64::from(record.dropoff_zone));
        out.extend_from_slice(b",\"payment_type\":");
        push_int(out, record.payment_type);
        for (name, cents) in record.money.named() {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            push_hundredths(out, cents);
        }
        out.push(b'}');
    }

    /// The CSV / COPY row as `sink::text::push_row` wrote it with these writers.
    pub fn push_row(out: &mut Vec<u8>, record: &TripRecord, separator: u8, null: &[u8]) {
        push_trip_id(out, record.trip_id);
        out.push(separator);
        push_int(out, i64::from(record.vendor_id));
        out.push(separator);
        push_timestamp(out, record.pickup, b' ');
        out.push(separator);
        push_timestamp(out, record.dropoff, b' ');
        out.push(separator);
        match record.passenger_count {
            Some(count) => push_int(out, count),
            None => out.extend_from_slice(null),
        }
        out.push(separator);
        push_hundredths(out, record.distance);
        out.push(separator);
        push_int(out, record.rate_code);
        out.push(separator);
        out.push(if record.store_and_fwd { b'Y' } else { b'N' });
        out.push(separator);
        push_int(out, i64::from(record.pickup_zone));
        out.push(separator);
        push_int(out, i64::from(record.dropoff_zone));
        out.push(separator);
        push_int(out, record.payment_type);
        for (_, cents) in record.money.named() {
            out.push(separator);
            push_hundredths(out, cents);
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::generate::rng::EventRng;

    pub fn sample() -> TripRecord {
        TripRecord {
            trip_id: 0x00ab_cdef_0123_4567,
            vendor_id: 2,
            pickup: civil::parse_timestamp("2024-01-01T00:05:09").unwrap(),
            dropoff: civil::parse_timestamp("2024-01-01T00:17:00").unwrap(),
            passenger_count: None,
            distance: 305,
            rate_code: 1,
            store_and_fwd: false,
            pickup_zone: 161,
            dropoff_zone: 237,
            payment_type: 1,
            money: Money {
                fare_amount: 1720,
                extra: 100,
                mta_tax: 50,
                tip_amount: 5,
                tolls_amount: 0,
                improvement_surcharge: 100,
                total_amount: 2225,
                congestion_surcharge: 250,
                airport_fee: 0,
                cbd_congestion_fee: 0,
            },
        }
    }

    #[test]
    fn json_is_the_contract_shape_and_parses() {
        let mut out = Vec::new();
        sample().write_json(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(r#"{"trip_id":"00abcdef01234567","VendorID":2,"tpep_pickup_datetime":"2024-01-01T00:05:09""#));
        assert!(text.contains(r#""passenger_count":null,"trip_distance":3.05,"#));
        assert!(text.contains(r#""tip_amount":0.05,"#));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["total_amount"].as_f64(), Some(22.25));
        assert_eq!(value.as_object().unwrap().len(), 21);
    }

    #[test]
    fn hundredths_format_signs_and_zero_padding() {
        for (value, expected) in [
            (0, "0.00"),
            (7, "0.07"),
            (-5, "-0.05"),
            (123_456, "1234.56"),
            (-7000, "-70.00"),
        ] {
            let mut out = Vec::new();
            push_hundredths(&mut out, value);
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    /// A record whose every field is drawn wide: any sign, any width, any time of four
    /// centuries either side of the epoch.
    pub fn random_record(rng: &mut EventRng) -> TripRecord {
        let wide = |rng: &mut EventRng| -> i64 {
            let bits = rng.below(64) as u32;
            let value = (rng.next_u64() >> (63 - bits.min(63))) as i64;
            if rng.below(2) == 0 {
                value
            } else {
                value.wrapping_neg()
            }
        };
        let mut money = [0i64; 10];
        for cents in &mut money {
            *cents = wide(rng);
        }
        let seconds = |rng: &mut EventRng| rng.below(25_000_000_000) as i64 - 12_500_000_000;
        TripRecord {
            trip_id: rng.next_u64(),
            vendor_id: wide(rng) as i32,
            pickup: seconds(rng),
            dropoff: seconds(rng),
            passenger_count: (rng.below(4) != 0).then(|| wide(rng)),
            distance: wide(rng),
            rate_code: wide(rng),
            store_and_fwd: rng.below(2) == 0,
            pickup_zone: wide(rng) as i32,
            dropoff_zone: wide(rng) as i32,
            payment_type: wide(rng),
            money: Money {
                fare_amount: money[0],
                extra: money[1],
                mta_tax: money[2],
                tip_amount: money[3],
                tolls_amount: money[4],
                improvement_surcharge: money[5],
                total_amount: money[6],
                congestion_surcharge: money[7],
                airport_fee: money[8],
                cbd_congestion_fee: money[9],
            },
        }
    }

    #[test]
    fn the_writers_equal_the_reference_on_random_records() {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for index in 0..200_000 {
            let record = random_record(&mut EventRng::new(17, index));
            ours.clear();
            theirs.clear();
            // Behind other bytes, as in a batch buffer.
            ours.extend_from_slice(b"prefix");
            theirs.extend_from_slice(b"prefix");
            record.write_json(&mut ours);
            reference::write_json(&record, &mut theirs);
            assert_eq!(ours, theirs, "{record:?}");
        }
    }

    #[test]
    fn extreme_values_fit_the_bound() {
        let money = Money {
            fare_amount: i64::MIN,
            extra: i64::MIN,
            mta_tax: i64::MIN,
            tip_amount: i64::MIN,
            tolls_amount: i64::MIN,
            improvement_surcharge: i64::MIN,
            total_amount: i64::MIN,
            congestion_surcharge: i64::MIN,
            airport_fee: i64::MIN,
            cbd_congestion_fee: i64::MIN,
        };
        let record = TripRecord {
            trip_id: u64::MAX,
            vendor_id: i32::MIN,
            pickup: i64::MAX / 2,
            dropoff: i64::MIN / 2,
            passenger_count: Some(i64::MIN),
            distance: i64::MIN,
            rate_code: i64::MIN,
            store_and_fwd: true,
            pickup_zone: i32::MIN,
            dropoff_zone: i32::MIN,
            payment_type: i64::MIN,
            money,
        };
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        record.write_json(&mut ours);
        reference::write_json(&record, &mut theirs);
        assert_eq!(ours, theirs);
        assert!(ours.len() <= MAX_JSON_BYTES, "{} bytes", ours.len());
    }
}
