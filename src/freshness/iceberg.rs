//! The probe's Iceberg source: a table's row count as its REST catalog states it.
//!
//! An Iceberg table's rows become visible to readers only when a commit makes a new snapshot
//! current, and every snapshot's summary carries the table's `total-records` after it. So the
//! count a reader would see is one catalog request away: `GET …/v1/config?warehouse=W` for the
//! warehouse's path prefix (Lakekeeper's, Polaris's), then `GET …/v1/{prefix}/namespaces/NS/
//! tables/T` (the REST spec's LoadTableResult) and the current snapshot's summary. No data
//! file is read, so a poll costs the same at any table size.
//! The catalog is asked through `crate::http`, plain HTTP on the stack's network.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// How long one catalog request may take before the poll fails.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// An Iceberg table behind a REST catalog: `iceberg-rest://HOST:PORT/BASE?warehouse=W&table=NS.T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub address: String,
    /// The catalog's base path before `/v1` (Lakekeeper's is `/catalog`).
    pub base: String,
    pub warehouse: String,
    pub namespace: String,
    pub table: String,
}

impl Table {
    /// `rest` is the URI after `iceberg-rest://`; the error says what is missing.
    pub fn parse(rest: &str) -> std::result::Result<Table, String> {
        let (location, query) = rest
            .split_once('?')
            .ok_or("give the warehouse and the table as ?warehouse=W&table=NS.T")?;
        let (address, base) = match location.split_once('/') {
            Some((address, base)) => (address, format!("/{}", base.trim_end_matches('/'))),
            None => (location, String::new()),
        };
        if !address.contains(':') {
            return Err("name the catalog's host and port, e.g. catalog:8181".into());
        }
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .filter(|v| !v.is_empty())
        };
        let warehouse = param("warehouse").ok_or("name the warehouse (warehouse=W)")?;
        let (namespace, table) = param("table")
            .and_then(|t| t.rsplit_once('.'))
            .filter(|(ns, t)| !ns.is_empty() && !t.is_empty())
            .ok_or("name the table with its namespace (table=NS.T)")?;
        Ok(Table {
            address: address.to_string(),
            base: if base == "/" { String::new() } else { base },
            warehouse: warehouse.to_string(),
            namespace: namespace.to_string(),
            table: table.to_string(),
        })
    }

    /// The rows of the table's current snapshot; 0 while the table or its first snapshot
    /// does not exist yet (the processor creates it).
    pub async fn count(&self) -> Result<u64> {
        let (status, config) = self
            .get(&format!(
                "{}/v1/config?warehouse={}",
                self.base, self.warehouse
            ))
            .await?;
        if status != 200 {
            bail!(
                "the Iceberg catalog at {} answered {status} for warehouse {}'s config: {}",
                self.address,
                self.warehouse,
                config
            );
        }
        let config: Value =
            serde_json::from_str(&config).context("the catalog's config is not JSON")?;
        let prefix = ["overrides", "defaults"]
            .iter()
            .find_map(|k| config[k]["prefix"].as_str())
            .map(|p| format!("/{p}"))
            .unwrap_or_default();
        let path = format!(
            "{}/v1{prefix}/namespaces/{}/tables/{}",
            self.base, self.namespace, self.table
        );
        let (status, body) = self.get(&path).await?;
        match status {
            200 => {
                let table: Value =
                    serde_json::from_str(&body).context("the table's metadata is not JSON")?;
                Ok(current_rows(&table["metadata"]))
            }
            404 => Ok(0),
            _ => bail!(
                "the Iceberg catalog at {} answered {status} for {path}: {}",
                self.address,
                body
            ),
        }
    }

    async fn get(&self, path: &str) -> Result<(u16, String)> {
        let url = format!("http://{}{path}", self.address);
        match tokio::time::timeout(REQUEST_TIMEOUT, crate::http::get(&url)).await {
            Ok(answer) => answer.map_err(|e| anyhow::anyhow!("asking the Iceberg catalog: {e}")),
            Err(_) => bail!("the Iceberg catalog did not answer {url} within {REQUEST_TIMEOUT:?}"),
        }
    }
}

/// `total-records` of the current snapshot in a table's metadata (format v1 and v2).
fn current_rows(metadata: &Value) -> u64 {
    let Some(current) = metadata["current-snapshot-id"]
        .as_i64()
        .filter(|&id| id >= 0)
    else {
        return 0;
    };
    metadata["snapshots"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["snapshot-id"].as_i64() == Some(current))
        .and_then(|s| s["summary"]["total-records"].as_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_the_catalog_the_warehouse_and_the_table() {
        assert_eq!(
            Table::parse("catalog:8181/catalog?warehouse=warehouse&table=silver.trips").unwrap(),
            Table {
                address: "catalog:8181".into(),
                base: "/catalog".into(),
                warehouse: "warehouse".into(),
                namespace: "silver".into(),
                table: "trips".into(),
            }
        );
        assert_eq!(
            Table::parse("h:1?warehouse=w&table=a.b.c")
                .unwrap()
                .namespace,
            "a.b"
        );
        for (bad, why) in [
            ("catalog:8181/catalog", "warehouse"),
            ("catalog/catalog?warehouse=w&table=a.b", "host and port"),
            ("h:1?table=a.b", "warehouse=W"),
            ("h:1?warehouse=w&table=trips", "table=NS.T"),
        ] {
            let err = Table::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn the_count_is_the_current_snapshots_total_records() {
        let metadata = serde_json::json!({
            "current-snapshot-id": 2,
            "snapshots": [
                {"snapshot-id": 1, "summary": {"operation": "append", "total-records": "10"}},
                {"snapshot-id": 2, "summary": {"operation": "append", "total-records": "25"}},
            ]
        });
        assert_eq!(current_rows(&metadata), 25);
        // A table just created has no snapshot (v2 writes -1, v1 may omit the field).
        assert_eq!(
            current_rows(&serde_json::json!({"current-snapshot-id": -1})),
            0
        );
        assert_eq!(current_rows(&serde_json::json!({})), 0);
    }
}
