//! Writing numbers and fixed text into a byte slice for the writers that run per event (the
//! JSON record, the civil-date timestamps, the CSV and COPY text, the Kafka keys).
//!
//! Why not `Vec::extend_from_slice` per piece: callgrind counted the JSON record at about
//! 3,500 instructions per event that way, a third of them in `memcpy` calls for pieces of a
//! few bytes whose length is known only at run time, and most of the rest in a division per
//! digit. A [`Cursor`] writes into a slice sized once per record: fixed text is copied with
//! its length known at compile time (inlined moves, no call) and digits two at a time from a
//! table. Its own module because both `record` and `civil` use it, and they must not import
//! each other.

/// `"00"`, `"01"`, … `"99"` back to back.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two decimal digits of `value` (below 100).
#[inline(always)]
pub fn two_digits(value: u32) -> [u8; 2] {
    let at = value as usize * 2;
    [DIGIT_PAIRS[at], DIGIT_PAIRS[at + 1]]
}

/// The widest integer [`Cursor::int`] writes: `-9223372036854775808`.
pub const MAX_INT_BYTES: usize = 20;

/// Appends to a slice the caller has made long enough; writing past its end panics (a bug in
/// the caller's bound, never a silent truncation).
pub struct Cursor<'a> {
    buf: &'a mut [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a mut [u8]) -> Cursor<'a> {
        Cursor { buf, at: 0 }
    }

    /// How many bytes have been written.
    pub fn len(&self) -> usize {
        self.at
    }

    /// What has been written.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.at]
    }

    #[inline(always)]
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.buf[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }

    #[inline(always)]
    pub fn byte(&mut self, byte: u8) {
        self.buf[self.at] = byte;
        self.at += 1;
    }

    /// An unsigned decimal integer. Nearly every value of an event is below 10,000 (zones,
    /// codes, dollars of a fare), so those take one or two table lookups and no loop.
    #[inline(always)]
    pub fn uint(&mut self, value: u64) {
        if value < 10 {
            self.byte(b'0' + value as u8);
        } else if value < 100 {
            self.bytes(&two_digits(value as u32));
        } else if value < 10_000 {
            let (high, low) = ((value / 100) as u32, (value % 100) as u32);
            let [tens, units] = two_digits(low);
            if high < 10 {
                self.bytes(&[b'0' + high as u8, tens, units]);
            } else {
                let [thousands, hundreds] = two_digits(high);
                self.bytes(&[thousands, hundreds, tens, units]);
            }
        } else {
            self.wide_uint(value);
        }
    }

    /// [`Cursor::uint`] of 10,000 and above: two digits per step from the last pair back.
    fn wide_uint(&mut self, mut value: u64) {
        let len = value.ilog10() as usize + 1;
        let out = &mut self.buf[self.at..self.at + len];
        let mut end = len;
        while value >= 100 {
            let [tens, units] = two_digits((value % 100) as u32);
            end -= 2;
            out[end] = tens;
            out[end + 1] = units;
            value /= 100;
        }
        if value >= 10 {
            let [tens, units] = two_digits(value as u32);
            out[0] = tens;
            out[1] = units;
        } else {
            out[0] = b'0' + value as u8;
        }
        self.at += len;
    }

    #[inline(always)]
    pub fn int(&mut self, value: i64) {
        if value < 0 {
            self.byte(b'-');
        }
        self.uint(value.unsigned_abs());
    }

    /// Hundredths as a decimal with exactly two places: 1234 → `12.34`, -5 → `-0.05`.
    #[inline(always)]
    pub fn hundredths(&mut self, value: i64) {
        if value < 0 {
            self.byte(b'-');
        }
        let magnitude = value.unsigned_abs();
        self.uint(magnitude / 100);
        let [tens, units] = two_digits((magnitude % 100) as u32);
        self.bytes(&[b'.', tens, units]);
    }

    /// 16 lowercase hex digits.
    #[inline]
    pub fn hex16(&mut self, value: u64) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        for (at, digit) in digits.iter_mut().enumerate() {
            *digit = HEX[((value >> ((15 - at) * 4)) & 0xf) as usize];
        }
        self.bytes(&digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl FnOnce(&mut Cursor)) -> String {
        let mut buf = [0u8; 64];
        let mut cursor = Cursor::new(&mut buf);
        write(&mut cursor);
        String::from_utf8(cursor.written().to_vec()).unwrap()
    }

    #[test]
    fn integers_are_written_as_rust_formats_them() {
        let mut values = vec![0, 1, 9, 10, 99, 100, 101, 999, 1000, i64::MAX, i64::MIN, -1];
        values.extend((0..19).map(|power| 10i64.pow(power)));
        values.extend((1..19).map(|power| 10i64.pow(power) - 1));
        values.extend((0..19).map(|power| -(10i64.pow(power))));
        for value in values {
            assert_eq!(written(|c| c.int(value)), value.to_string());
        }
        assert_eq!(written(|c| c.uint(u64::MAX)), u64::MAX.to_string());
        assert_eq!(written(|c| c.int(i64::MIN)).len(), MAX_INT_BYTES);
    }

    #[test]
    fn hundredths_and_hex_and_text() {
        for (value, expected) in [
            (0, "0.00"),
            (7, "0.07"),
            (-5, "-0.05"),
            (100, "1.00"),
            (123_456, "1234.56"),
            (-7000, "-70.00"),
            (i64::MIN, "-92233720368547758.08"),
        ] {
            assert_eq!(written(|c| c.hundredths(value)), expected);
        }
        assert_eq!(
            written(|c| c.hex16(0x00ab_cdef_0123_4567)),
            "00abcdef01234567"
        );
        assert_eq!(
            written(|c| {
                c.bytes(b"ab");
                c.byte(b'c');
            }),
            "abc"
        );
    }

    #[test]
    #[should_panic]
    fn writing_past_the_end_panics_rather_than_truncating() {
        let mut buf = [0u8; 3];
        Cursor::new(&mut buf).uint(1234);
    }
}
