//! The event schema, defined once: the JSON Schema and Avro files under `shared/schemas/`,
//! the Parquet schema, the CSV header and the PostgreSQL table are all derived from
//! [`FIELDS`].

use serde_json::{Value, json};

/// The kind of a field, which decides its type in every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TripId,
    SmallInt,
    Timestamp,
    Count,
    Code,
    Miles,
    Flag,
    Money,
}

pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    pub doc: &'static str,
}

const fn field(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        nullable: false,
        doc,
    }
}

/// The fields of an event, in event order (which is also the column order everywhere).
pub const FIELDS: [Field; 21] = [
    field(
        "trip_id",
        Kind::TripId,
        "Stable id of the trip, 16 lowercase hex digits; a re-sent duplicate carries the same id.",
    ),
    field(
        "VendorID",
        Kind::SmallInt,
        "1 Creative Mobile Technologies, 2 Curb Mobility, 6 Myle Technologies, 7 Helix.",
    ),
    field(
        "tpep_pickup_datetime",
        Kind::Timestamp,
        "Meter engaged, New York local time, no zone.",
    ),
    field(
        "tpep_dropoff_datetime",
        Kind::Timestamp,
        "Meter disengaged, New York local time, no zone.",
    ),
    Field {
        name: "passenger_count",
        kind: Kind::Count,
        nullable: true,
        doc: "Passengers, as entered by the driver; null when not entered.",
    },
    field(
        "trip_distance",
        Kind::Miles,
        "Miles on the taximeter, two decimals.",
    ),
    field(
        "RatecodeID",
        Kind::Code,
        "1 standard, 2 JFK, 3 Newark, 4 Nassau/Westchester, 5 negotiated, 6 group ride, 99 unknown.",
    ),
    field(
        "store_and_fwd_flag",
        Kind::Flag,
        "Y when the record was held in the vehicle before sending, else N.",
    ),
    field(
        "PULocationID",
        Kind::SmallInt,
        "TLC taxi zone of the pickup (1-265).",
    ),
    field(
        "DOLocationID",
        Kind::SmallInt,
        "TLC taxi zone of the drop-off (1-265).",
    ),
    field(
        "payment_type",
        Kind::Code,
        "1 credit card, 2 cash, 3 no charge, 4 dispute, 5 unknown, 6 voided trip.",
    ),
    field(
        "fare_amount",
        Kind::Money,
        "Time-and-distance fare (dollars).",
    ),
    field(
        "extra",
        Kind::Money,
        "Overnight, rush-hour and Newark surcharges (dollars).",
    ),
    field("mta_tax", Kind::Money, "MTA tax, $0.50 (dollars)."),
    field(
        "tip_amount",
        Kind::Money,
        "Card tips; cash tips are not recorded (dollars).",
    ),
    field(
        "tolls_amount",
        Kind::Money,
        "Tolls paid on the trip (dollars).",
    ),
    field(
        "improvement_surcharge",
        Kind::Money,
        "Improvement surcharge, $1.00 (dollars).",
    ),
    field(
        "total_amount",
        Kind::Money,
        "Total charged, the sum of the other amounts for a clean record (dollars).",
    ),
    field(
        "congestion_surcharge",
        Kind::Money,
        "$2.50 for trips in Manhattan south of 96th Street (dollars).",
    ),
    field(
        "Airport_fee",
        Kind::Money,
        "$1.75 on LaGuardia and JFK pickups (dollars).",
    ),
    field(
        "cbd_congestion_fee",
        Kind::Money,
        "$0.75 in the Congestion Relief Zone from 5 January 2025 (dollars).",
    ),
];

impl Kind {
    pub fn postgres(self) -> &'static str {
        match self {
            Kind::TripId | Kind::Flag => "text",
            Kind::SmallInt => "integer",
            Kind::Timestamp => "timestamp without time zone",
            Kind::Count | Kind::Code => "bigint",
            Kind::Miles | Kind::Money => "numeric(10,2)",
        }
    }

    fn parquet(self) -> &'static str {
        match self {
            Kind::TripId | Kind::Flag => "binary {} (STRING)",
            Kind::SmallInt => "int32 {}",
            Kind::Timestamp => "int64 {} (TIMESTAMP(MICROS,false))",
            Kind::Count | Kind::Code => "int64 {}",
            Kind::Miles | Kind::Money => "double {}",
        }
    }
}

/// The Parquet message type of a Bronze file: every column optional as in the TLC files,
/// except `trip_id`.
pub fn parquet_message_type() -> String {
    let columns: String = FIELDS
        .iter()
        .map(|f| {
            let repetition = if f.kind == Kind::TripId {
                "required"
            } else {
                "optional"
            };
            format!(
                "  {repetition} {};\n",
                f.kind.parquet().replace("{}", f.name)
            )
        })
        .collect();
    format!("message taxi_trip {{\n{columns}}}")
}

pub fn json_schema() -> Value {
    let properties: serde_json::Map<String, Value> = FIELDS
        .iter()
        .map(|f| {
            let mut schema = match f.kind {
                Kind::TripId => json!({"type": "string", "pattern": "^[0-9a-f]{16}$"}),
                Kind::SmallInt | Kind::Count | Kind::Code => json!({"type": "integer"}),
                Kind::Timestamp => json!({"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$"}),
                Kind::Flag => json!({"type": "string", "enum": ["Y", "N"]}),
                Kind::Miles | Kind::Money => json!({"type": "number", "multipleOf": 0.01}),
            };
            if f.nullable {
                schema["type"] = json!([schema["type"], "null"]);
            }
            schema["description"] = json!(f.doc);
            (f.name.to_string(), schema)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/rtde/rtde/shared/schemas/taxi_trip.schema.json",
        "title": "taxi_trip",
        "description": "One NYC yellow-taxi trip event as rtde generate sends it (docs/data-contract.md). Generated from src/generate/schema.rs: do not edit.",
        "type": "object",
        "properties": properties,
        "required": FIELDS.iter().map(|f| f.name).collect::<Vec<_>>(),
        "additionalProperties": false
    })
}

pub fn avro_schema() -> Value {
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| {
            let kind = match f.kind {
                Kind::TripId | Kind::Timestamp | Kind::Flag => json!("string"),
                Kind::SmallInt => json!("int"),
                Kind::Count | Kind::Code => json!("long"),
                Kind::Miles | Kind::Money => json!("double"),
            };
            let kind = if f.nullable {
                json!(["null", kind])
            } else {
                kind
            };
            json!({"name": f.name, "type": kind, "doc": f.doc})
        })
        .collect();
    json!({
        "type": "record",
        "name": "TaxiTrip",
        "namespace": "rtde.taxi",
        "doc": "One NYC yellow-taxi trip event as rtde generate sends it (docs/data-contract.md). Generated from src/generate/schema.rs: do not edit.",
        "fields": fields
    })
}

pub const JSON_SCHEMA_FILE: &str = "taxi_trip.schema.json";
pub const AVRO_SCHEMA_FILE: &str = "taxi_trip.avsc";

/// The schema files, name and content.
pub fn schema_files() -> Vec<(&'static str, String)> {
    vec![
        (JSON_SCHEMA_FILE, pretty(&json_schema())),
        (AVRO_SCHEMA_FILE, pretty(&avro_schema())),
    ]
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schema_files_are_the_generated_ones() {
        // Run `rtde generate --schemas shared/schemas` after changing FIELDS.
        assert_eq!(
            include_str!("../../shared/schemas/taxi_trip.schema.json"),
            pretty(&json_schema())
        );
        assert_eq!(
            include_str!("../../shared/schemas/taxi_trip.avsc"),
            pretty(&avro_schema())
        );
    }

    #[test]
    fn parquet_schema_parses_and_has_every_field() {
        let schema = parquet::schema::parser::parse_message_type(&parquet_message_type()).unwrap();
        assert_eq!(schema.get_fields().len(), FIELDS.len());
    }
}
