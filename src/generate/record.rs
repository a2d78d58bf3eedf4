//! One trip record in integer form, and its JSON event rendering.
//!
//! Money and distance are integer hundredths (cents, hundredths of a mile) so sums are exact
//! and formatting never depends on a platform's float printing; timestamps are naive local
//! seconds (see [`civil`]). The JSON writer is hand-written because it runs once per event and
//! its output is a contract: field order and number format are fixed here and nowhere else.

use crate::generate::civil;

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

/// Appends an unsigned decimal integer.
pub fn push_uint(out: &mut Vec<u8>, mut value: u64) {
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

pub fn push_int(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    push_uint(out, value.unsigned_abs());
}

/// Appends hundredths as a decimal with exactly two places: 1234 → `12.34`, -5 → `-0.05`.
pub fn push_hundredths(out: &mut Vec<u8>, value: i64) {
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

/// Appends the trip id: 16 lowercase hex digits.
pub fn push_trip_id(out: &mut Vec<u8>, trip_id: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        out.push(HEX[((trip_id >> (shift * 4)) & 0xf) as usize]);
    }
}

impl TripRecord {
    /// Appends the event's JSON object (no trailing newline), fields in contract order.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"trip_id\":\"");
        push_trip_id(out, self.trip_id);
        out.extend_from_slice(b"\",\"VendorID\":");
        push_int(out, i64::from(self.vendor_id));
        out.extend_from_slice(b",\"tpep_pickup_datetime\":\"");
        civil::push_timestamp(out, self.pickup, b'T');
        out.extend_from_slice(b"\",\"tpep_dropoff_datetime\":\"");
        civil::push_timestamp(out, self.dropoff, b'T');
        out.extend_from_slice(b"\",\"passenger_count\":");
        match self.passenger_count {
            Some(count) => push_int(out, count),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"trip_distance\":");
        push_hundredths(out, self.distance);
        out.extend_from_slice(b",\"RatecodeID\":");
        push_int(out, self.rate_code);
        out.extend_from_slice(b",\"store_and_fwd_flag\":\"");
        out.push(if self.store_and_fwd { b'Y' } else { b'N' });
        out.extend_from_slice(b"\",\"PULocationID\":");
        push_int(out, i64::from(self.pickup_zone));
        out.extend_from_slice(b",\"DOLocationID\":");
        push_int(out, i64::from(self.dropoff_zone));
        out.extend_from_slice(b",\"payment_type\":");
        push_int(out, self.payment_type);
        for (name, cents) in self.money.named() {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            push_hundredths(out, cents);
        }
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
