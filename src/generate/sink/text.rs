//! One Bronze row as delimited text, shared by the CSV file sink and PostgreSQL's COPY: the
//! same columns in the same order, only the separator and the null marker differ.

use crate::generate::civil;
use crate::generate::record::{TripRecord, push_hundredths, push_int, push_trip_id};

pub fn push_row(out: &mut Vec<u8>, record: &TripRecord, separator: u8, null: &[u8]) {
    push_trip_id(out, record.trip_id);
    out.push(separator);
    push_int(out, i64::from(record.vendor_id));
    out.push(separator);
    civil::push_timestamp(out, record.pickup, b' ');
    out.push(separator);
    civil::push_timestamp(out, record.dropoff, b' ');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::record::{reference, tests::random_record};
    use crate::generate::rng::EventRng;

    #[test]
    fn rows_equal_the_reference_writers_on_random_records() {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for index in 0..50_000 {
            let record = random_record(&mut EventRng::new(23, index));
            for (separator, null) in [(b',', &b""[..]), (b'\t', &b"\\N"[..])] {
                ours.clear();
                theirs.clear();
                push_row(&mut ours, &record, separator, null);
                reference::push_row(&mut theirs, &record, separator, null);
                assert_eq!(ours, theirs, "{record:?}");
            }
        }
    }
}
