//! A pipeline whose images cannot be had on this machine (not here, not buildable, not
//! pullable): one clear sentence, and under `bench-all --continue-on-error` a SKIPPED row
//! while the run goes on.

use crate::util::{Sandbox, fixture_image, output};

#[test]
fn an_image_whose_base_no_registry_serves_is_named_with_its_base() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p89"));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rtde-fixture/unbuildable:1.0.0")
            && err.contains("registry.invalid/rtde-fixture/no-such-base:1.0.0")
            && err.contains("no registry answered")
            && err.contains("docs/offline.md"),
        "{err}"
    );
    assert!(
        !err.contains("---- stderr"),
        "not Compose's raw output: {err}"
    );
    assert!(
        sandbox.run_dirs("p89").is_empty(),
        "no run started: {:?}",
        sandbox.run_dirs("p89")
    );
}

#[test]
fn bench_all_records_a_pipeline_without_images_as_skipped_and_goes_on() {
    let sandbox = Sandbox::new();
    let image = format!("image={}", fixture_image());
    let mut cmd = sandbox.rtde(&[
        "bench-all",
        "--only",
        "89,90,97",
        "--continue-on-error",
        "--var",
        &image,
        "--no-sample",
        "--out",
    ]);
    let out = output(cmd.arg(sandbox.runs()));
    assert_eq!(out.status.code(), Some(3), "something did not run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("p89 skipped"));
    assert_eq!(
        sandbox.run_dirs("p90").len(),
        1,
        "p90, after p89, still ran"
    );

    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let row = |id: &str| {
        rows.iter()
            .find(|r| &r[0] == id)
            .unwrap_or_else(|| panic!("no row for {id}: {table}"))
    };
    assert_eq!(&row("p90")[column("validation_status")], "PASS");
    for (id, image) in [
        ("p89", "registry.invalid/rtde-fixture/no-such-base:1.0.0"),
        ("p97", "rtde-fixture/not-built-anywhere:1.0.0"),
    ] {
        assert_eq!(&row(id)[column("validation_status")], "SKIPPED", "{table}");
        let notes = &row(id)[column("notes")];
        assert!(
            notes.contains(image) && notes.contains("docs/offline.md"),
            "{notes}"
        );
    }

    let out = output(&mut sandbox.rtde(&["compare", sandbox.runs().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0));
    let report = std::fs::read_to_string(sandbox.runs().join("comparison_report.md")).unwrap();
    assert!(
        report.contains("p89 (SKIPPED: image `rtde-fixture/unbuildable:1.0.0`"),
        "{report}"
    );
}
