//! Whether this machine can have the images of a stack, decided before the clock starts.
//!
//! An image can be had when it is present, when it can be pulled, or when its service builds
//! it and every base its Dockerfile starts `FROM` can be had. Finding the bases here, rather
//! than reading them out of a failed `compose build`, lets rtde name the one thing missing
//! (the base, and that no registry answered) instead of passing Compose's raw output on, and
//! lets `bench-all --continue-on-error` record the pipeline as skipped and go on.

use std::collections::{BTreeMap, BTreeSet};

/// The images a Dockerfile builds `FROM`, in order, with `ARG` defaults and the build's
/// args substituted; `scratch` and the names of earlier stages are not images.
pub fn base_images(dockerfile: &str, build_args: &BTreeMap<String, String>) -> Vec<String> {
    let mut args: BTreeMap<String, String> = BTreeMap::new();
    let mut stages: BTreeSet<String> = BTreeSet::new();
    let mut bases = Vec::new();
    for line in instructions(dockerfile) {
        let mut words = line.split_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        match keyword.to_ascii_uppercase().as_str() {
            // Only ARGs before the first FROM are in scope of FROM lines; later ones belong
            // to a stage, so collecting every ARG is a harmless superset.
            "ARG" => {
                for decl in words {
                    let (name, default) = decl.split_once('=').unwrap_or((decl, ""));
                    let value = build_args
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| default.trim_matches('"').to_string());
                    args.insert(name.to_string(), value);
                }
            }
            "FROM" => {
                let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
                let Some(image) = rest.first() else { continue };
                let image = substitute(image, &args);
                if let [_, alias, name] = rest.as_slice()
                    && alias.eq_ignore_ascii_case("as")
                {
                    stages.insert(name.to_ascii_lowercase());
                }
                let earlier_stage = stages.contains(&image.to_ascii_lowercase())
                    && !rest.get(2).is_some_and(|n| n.eq_ignore_ascii_case(&image));
                if image != "scratch" && !image.is_empty() && !earlier_stage {
                    bases.push(image);
                }
            }
            _ => {}
        }
    }
    bases.dedup();
    bases
}

/// The Dockerfile's instructions, one per line: comments dropped, continuations joined.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `${NAME}`, `${NAME:-default}` and `$NAME` replaced by the ARG's value.
fn substitute(word: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (inner, tail) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => (braced, ""),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        let (name, default) = inner.split_once(":-").unwrap_or((inner, ""));
        match args.get(name).filter(|v| !v.is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(default),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Why a pull failed, in a few words: the last line of its root cause (`… no such host`),
/// without the layers of context around it.
pub fn short_reason(err: &anyhow::Error) -> String {
    let text = err.root_cause().to_string();
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("----"))
        .unwrap_or("no answer")
        .to_string()
}

/// The sentence for an image that cannot be had: which image, which service, which base
/// (when a build needed one), why, and what to do.
pub fn sentence(image: &str, service: &str, base: Option<&str>, reason: &str) -> String {
    // A machine without a registry fails at the name lookup or the connection; any other
    // failure (denied, unknown tag) came from a registry that did answer.
    let offline = [
        "no such host",
        "dial tcp",
        "connection refused",
        "timeout",
        "i/o timeout",
    ]
    .iter()
    .any(|sign| reason.contains(sign));
    let reason = if offline {
        format!("no registry answered: {reason}")
    } else {
        format!("the registry said: {reason}")
    };
    match base {
        Some(base) => format!(
            "image `{image}` (service `{service}`) cannot be had here: it is not on this machine, \
             and building it needs its base `{base}`, which is not here either and could not be \
             pulled ({reason}); build it on local bases without a registry \
             (docs/offline.md) or run where a registry is reachable"
        ),
        None => format!(
            "image `{image}` (service `{service}`) cannot be had here: it is not on this machine, \
             no service builds it, and it could not be pulled ({reason}); \
             build it locally without a registry (docs/offline.md) or run where a registry is \
             reachable"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_base_comes_from_the_arg_default_or_the_build_args() {
        let file = "# comment\nARG BASE_IMAGE=flink:2.0.1-java17\nFROM ${BASE_IMAGE}\nRUN true\n";
        assert_eq!(base_images(file, &args(&[])), ["flink:2.0.1-java17"]);
        assert_eq!(
            base_images(file, &args(&[("BASE_IMAGE", "rtde-local/debian:bookworm")])),
            ["rtde-local/debian:bookworm"]
        );
    }

    #[test]
    fn stages_scratch_and_platform_flags_are_not_bases() {
        let file = "FROM --platform=linux/amd64 rust:1.91 AS build\nRUN cargo build \\\n  --release\n\
                    FROM scratch\nCOPY --from=build /x /x\nFROM build AS again\nARG OTHER\nFROM $OTHER\n";
        assert_eq!(
            base_images(file, &args(&[("OTHER", "debian:12")])),
            ["rust:1.91", "debian:12"]
        );
    }

    #[test]
    fn a_default_in_the_reference_is_used_when_the_arg_is_empty() {
        assert_eq!(
            base_images("ARG B\nFROM ${B:-alpine:3.20}\n", &args(&[])),
            ["alpine:3.20"]
        );
    }

    #[test]
    fn the_sentence_says_whether_a_registry_answered() {
        let offline = sentence("a:1", "app", Some("b:2"), "lookup x: no such host");
        assert!(offline.contains("base `b:2`") && offline.contains("no registry answered"));
        let denied = sentence("a:1", "app", None, "pull access denied for a");
        assert!(
            denied.contains("the registry said: pull access denied"),
            "{denied}"
        );
        assert!(denied.contains("docs/offline.md"));
    }

    #[test]
    fn the_reason_is_the_last_line_of_the_root_cause() {
        let err = anyhow::anyhow!("Get https://x/v2/: dial tcp: lookup x: no such host")
            .context("pulling x:1");
        assert_eq!(
            short_reason(&err),
            "Get https://x/v2/: dial tcp: lookup x: no such host"
        );
        let compose = anyhow::anyhow!(
            "compose pull failed (exit status: 1): pull ghost\n---- stderr ----\n\
             Pulling ghost ...\nerror: pull access denied\n----------------"
        );
        assert_eq!(short_reason(&compose), "error: pull access denied");
    }
}
