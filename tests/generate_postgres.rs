//! `rtde generate --sink postgres://…` against a real PostgreSQL server.
//!
//! The server comes from `tests/support/postgres.sh start` (run by `.ci/run`); its URL is in
//! `RTDE_TEST_POSTGRES`. Without it the test fails and says how to start one.

#[path = "support/generate_common.rs"]
mod common;

use common::{generate_err, generate_ok, path_in, read_json};
use tokio_postgres::NoTls;

fn postgres_url() -> String {
    std::env::var("RTDE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RTDE_TEST_POSTGRES is not set: start a server with `tests/support/postgres.sh start` \
             and export RTDE_TEST_POSTGRES=postgres://postgres@127.0.0.1:54329/postgres"
        )
    })
}

fn query(url: &str, sql: &str) -> Vec<tokio_postgres::Row> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .unwrap_or_else(|err| panic!("cannot connect to RTDE_TEST_POSTGRES={url}: {err}"));
        tokio::spawn(connection);
        client
            .query(sql, &[])
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"))
    })
}

#[test]
fn copies_bronze_rows_into_a_typed_table_that_silver_sql_agrees_with() {
    let url = postgres_url();
    let table = format!("raw_trips_test_{}", std::process::id());
    query(&url, &format!("drop table if exists {table}"));
    let dir = tempfile::tempdir().unwrap();
    let oracle_path = path_in(dir.path(), "o.json");
    generate_ok(&[
        "--events",
        "25000",
        "--seed",
        "5",
        "--sink",
        &format!("{url}?table={table}"),
        "--oracle-out",
        &oracle_path,
    ]);
    let oracle = read_json(oracle_path.as_ref());

    let columns = query(
        &url,
        &format!(
            "select column_name::text, data_type::text from information_schema.columns where table_name = '{table}' order by ordinal_position"
        ),
    );
    let columns: Vec<(String, String)> = columns.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(columns.len(), 21);
    assert_eq!(columns[0], ("trip_id".to_string(), "text".to_string()));
    assert_eq!(
        columns[2],
        (
            "tpep_pickup_datetime".to_string(),
            "timestamp without time zone".to_string()
        )
    );
    assert_eq!(
        columns[17],
        ("total_amount".to_string(), "numeric".to_string())
    );

    let (start, end) = (
        oracle["window"]["start"].as_str().unwrap(),
        oracle["window"]["end"].as_str().unwrap(),
    );
    let silver = format!(
        "select distinct on (trip_id) * from {table}
         where tpep_dropoff_datetime > tpep_pickup_datetime and fare_amount > 0 and trip_distance >= 0
           and passenger_count is not null and \"PULocationID\" between 1 and 265 and \"DOLocationID\" between 1 and 265
           and tpep_pickup_datetime >= '{start}' and tpep_pickup_datetime < '{end}'"
    );
    let row = &query(
        &url,
        &format!(
            "select (select count(*) from {table}), (select count(*) from ({silver}) s),
                    (select (sum(total_amount) * 100)::bigint from ({silver}) s),
                    (select count(*) from {table} where passenger_count is null)"
        ),
    )[0];
    let (bronze, silver_rows, revenue, null_passengers): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(bronze as u64, oracle["bronze_rows"].as_u64().unwrap());
    assert_eq!(silver_rows as u64, oracle["silver_rows"].as_u64().unwrap());
    assert_eq!(
        null_passengers as u64,
        oracle["categories"]["null_passenger_count"]
            .as_u64()
            .unwrap()
    );
    let oracle_revenue: i64 = oracle["gold"]["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["revenue_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(revenue, oracle_revenue);
    query(&url, &format!("drop table {table}"));
}

#[test]
fn unreachable_postgres_is_an_environment_error() {
    let (code, stderr) = generate_err(&[
        "--events",
        "10",
        "--sink",
        "postgres://postgres@127.0.0.1:1/postgres",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("cannot connect to PostgreSQL"), "{stderr}");
}
