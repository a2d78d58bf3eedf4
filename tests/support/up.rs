//! What `rtde up` says, for tests that work a stack by hand.

/// The Compose project (starting with `prefix`, e.g. `rtde-p90-`) that `rtde up` named in
/// its output.
pub fn project_named(said: &str, prefix: &str) -> String {
    said.split_whitespace()
        .find(|w| w.starts_with(prefix))
        .expect("up names the project")
        .trim_end_matches(';')
        .to_string()
}
