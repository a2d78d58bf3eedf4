//! The dbt seeds, written from the very tables the generator draws from, so Gold joins and the
//! events can never disagree about a zone, a payment type, a rate code or a vendor.

use crate::generate::model::fares::{RATE_CODES, rate_code_name};
use crate::generate::model::trip::{PAYMENT_TYPES, VENDORS};
use crate::generate::model::zones::ZONE_LOOKUP_CSV;

fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(&row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The seed files, name and content.
pub fn seed_files() -> anyhow::Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("taxi_zone_lookup.csv", ZONE_LOOKUP_CSV.to_string()),
        (
            "payment_type_lookup.csv",
            csv_text(
                &["payment_type_id", "payment_type_name"],
                PAYMENT_TYPES
                    .iter()
                    .map(|(id, _, name)| vec![id.to_string(), name.to_string()]),
            )?,
        ),
        (
            "rate_code_lookup.csv",
            csv_text(
                &["rate_code_id", "rate_code_name"],
                RATE_CODES
                    .iter()
                    .map(|id| vec![id.to_string(), rate_code_name(*id).to_string()]),
            )?,
        ),
        (
            "vendor_lookup.csv",
            csv_text(
                &["vendor_id", "vendor_name", "vendor_abbr"],
                VENDORS.iter().map(|(id, _, name, abbr)| {
                    vec![id.to_string(), name.to_string(), abbr.to_string()]
                }),
            )?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_seeds_are_the_generated_ones() {
        // Run `rtde generate --seeds shared/dbt/seeds` after changing a lookup table.
        let files = seed_files().unwrap();
        let committed = [
            include_str!("../../shared/dbt/seeds/taxi_zone_lookup.csv"),
            include_str!("../../shared/dbt/seeds/payment_type_lookup.csv"),
            include_str!("../../shared/dbt/seeds/rate_code_lookup.csv"),
            include_str!("../../shared/dbt/seeds/vendor_lookup.csv"),
        ];
        for ((name, content), committed) in files.iter().zip(committed) {
            assert_eq!(content, committed, "{name}");
        }
        assert!(files[3].1.contains("2,\"Curb Mobility, LLC\",Curb"));
    }
}
