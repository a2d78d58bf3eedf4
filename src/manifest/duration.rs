//! Durations as written in manifests: `500ms`, `30s`, `2m`, `1h`, or sums like `1m30s`.

use std::time::Duration;

pub fn parse(text: &str) -> Result<Duration, String> {
    let hint = || format!("`{text}` is not a duration; write e.g. 500ms, 30s, 2m or 1m30s");
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(hint());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(hint)?;
        if digits == 0 {
            return Err(hint());
        }
        let value: u64 = rest[..digits].parse().map_err(|_| hint())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(value),
            "s" => Duration::from_secs(value),
            "m" => Duration::from_secs(value * 60),
            "h" => Duration::from_secs(value * 3600),
            _ => return Err(hint()),
        };
        total += unit;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// A duration as a manifest would write it: whole seconds as `30s`, else milliseconds.
pub fn format(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_sums() {
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("2h").unwrap(), Duration::from_secs(7200));
    }

    #[test]
    fn rejects_bare_numbers_and_unknown_units() {
        for bad in ["30", "", "s", "5 days", "1.5s"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
