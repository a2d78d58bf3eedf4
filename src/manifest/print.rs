//! `rtde validate --print`: the manifest as it runs, every layer resolved, each part with
//! the file and line it came from, so nobody resolves `extends:` and `use:` in their head.
//!
//! The text reads as YAML with the origins as comments; it is a view, not an input.

use std::fmt::Write;
use std::path::Path;

use super::Loc;
use super::pipeline::{Action, CheckRule, Command, Pipeline, ProbeKind, STACK_PARTS, Stop};
use super::template::Template;

/// A string as a JSON string, which YAML reads back unchanged.
fn quote(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn command(c: &Command) -> String {
    match c {
        Command::Shell(t) => quote(&t.text),
        Command::Argv(args) => format!(
            "[{}]",
            args.iter()
                .map(|a| quote(&a.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A stage's action on one line: `run processor: ["--follow"]`, `host: make stop`.
fn action(a: &Action) -> String {
    match a {
        Action::Exec(sc) | Action::Run(sc) => format!(
            "{} {}{}",
            a.kind(),
            sc.service,
            sc.command
                .as_ref()
                .map(|c| format!(": {}", command(c)))
                .unwrap_or_default()
        ),
        Action::Host { command: c, .. } => format!("host: {}", command(c)),
    }
}

/// Render the resolved manifest; origins are shown relative to `root`.
pub fn render(p: &Pipeline, root: &Path) -> String {
    let at = |loc: &Loc| {
        let file = loc.file_or(&p.manifest_path);
        let file = file.strip_prefix(root).unwrap_or(file);
        format!("{}:{}", file.display(), loc.line)
    };
    let rel = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "# {} resolved from {}", p.id, rel(&p.manifest_path));
    for base in &p.extends {
        let _ = writeln!(out, "#   extends {}", rel(base));
    }
    let _ = writeln!(out, "id: {}", p.id);
    let _ = writeln!(out, "name: {}", quote(&p.name));
    let _ = writeln!(out, "tier: {}", p.tier);
    out.push_str("stack:\n");
    for part in STACK_PARTS {
        let value = p.stack.get(part).map(String::as_str).unwrap_or("none");
        let _ = writeln!(out, "  {part}: {value}");
    }
    out.push_str("compose:\n  files:\n");
    for file in &p.compose_files {
        let _ = writeln!(out, "    - {:<60} # {}", file.text, at(&file.loc));
    }
    if !p.profiles.is_empty() {
        out.push_str("  profiles:\n");
        for (profile, loc) in &p.profiles {
            let _ = writeln!(out, "    - {profile:<60} # {}", at(loc));
        }
    }
    if !p.compose_env.is_empty() {
        out.push_str("  environment:\n");
        for (key, value) in &p.compose_env {
            let left = format!("    {key}: {}", quote(&value.text));
            let _ = writeln!(out, "{left:<66} # {}", at(&value.loc));
        }
    }
    out.push_str("variables:\n");
    for (name, value) in &p.variables {
        let whence = p.variable_locs.get(name).map(at).unwrap_or_default();
        let left = format!("  {name}: {}", quote(value));
        let _ = writeln!(out, "{left:<66} # {whence}");
    }
    let _ = writeln!(out, "startup:\n  timeout: {:?}", p.startup_timeout);
    out.push_str("stages:\n");
    for stage in &p.stages {
        let uses = stage
            .uses
            .as_ref()
            .map(|u| format!(" (use: {u})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  - name: {:<56} # {}{uses}",
            stage.name,
            at(&stage.origin)
        );
        let _ = writeln!(out, "    category: {}", stage.category.as_str());
        let env = |out: &mut String, environment: &[(String, Template)]| {
            for (key, value) in environment {
                let _ = writeln!(out, "        {key}: {}", quote(&value.text));
            }
        };
        match &stage.action {
            Action::Exec(sc) | Action::Run(sc) => {
                let _ = writeln!(
                    out,
                    "    {}:\n      service: {}",
                    stage.action.kind(),
                    sc.service
                );
                if let Some(c) = &sc.command {
                    let _ = writeln!(out, "      command: {}", command(c));
                }
                if !sc.environment.is_empty() {
                    out.push_str("      environment:\n");
                    env(&mut out, &sc.environment);
                }
            }
            Action::Host {
                command: c,
                environment,
            } => {
                let _ = writeln!(out, "    host:\n      command: {}", command(c));
                if !environment.is_empty() {
                    out.push_str("      environment:\n");
                    env(&mut out, environment);
                }
            }
        }
        let _ = writeln!(out, "    timeout: {:?}", stage.timeout);
        if let Some(probe) = &stage.until {
            let what = match &probe.kind {
                ProbeKind::Exec(sc) => format!(
                    "exec {} {}",
                    sc.service,
                    sc.command.as_ref().map(command).unwrap_or_default()
                ),
                ProbeKind::Http { url, .. } => format!("http {}", url.text),
                ProbeKind::Log { service, regex, .. } => format!("log {service} {regex}"),
                ProbeKind::Healthy { service, .. } => format!("healthy {service}"),
                ProbeKind::FlinkJob { service, .. } => format!("flink_job {service}"),
            };
            let _ = writeln!(out, "    until: {what} (within {:?})", probe.timeout);
        }
        if !stage.capture.is_empty() {
            out.push_str("    capture:\n");
            for c in &stage.capture {
                let _ = writeln!(
                    out,
                    "      - {{metric: {}, regex: {}}}",
                    c.metric,
                    quote(c.regex.as_str())
                );
            }
        }
    }
    if let Some(s) = &p.sustained {
        let _ = writeln!(out, "{:<66} # {}", "sustained:", at(&s.origin));
        let _ = writeln!(out, "  replaces: {}", s.replaces);
        let _ = writeln!(
            out,
            "  processor: {} ({}), timeout {:?}",
            s.processor.name,
            action(&s.processor.action),
            s.processor.timeout
        );
        match &s.stop {
            Stop::Signal(signal) => {
                let _ = writeln!(out, "  stop_signal: {signal}");
            }
            Stop::Stage(stage) => {
                let _ = writeln!(out, "  stop: {} ({})", stage.name, action(&stage.action));
            }
        }
        let _ = writeln!(out, "  silver: {}", quote(&s.silver));
        if let Some(q) = &s.query {
            let _ = writeln!(out, "  query: {}", quote(q));
        }
        let _ = writeln!(out, "  probe_service: {}", s.probe_service);
        let _ = writeln!(out, "  drain_timeout: {:?}", s.drain_timeout);
        if !s.requires.is_empty() {
            out.push_str("  requires:\n");
            for (name, value) in &s.requires {
                let _ = writeln!(out, "    {name}: {}", quote(value));
            }
        }
    }
    if !p.expect.is_empty() {
        out.push_str("expect:\n");
        for check in &p.expect {
            let rule = match &check.rule {
                CheckRule::Equals(t) => format!("equals: {}", quote(&t.text)),
                CheckRule::EqualsMetric(m) => format!("equals_metric: {m}"),
                CheckRule::Range(lo, hi) => format!("range: [{}, {}]", lo.text, hi.text),
            };
            let _ = writeln!(
                out,
                "  - {{name: {}, metric: {}, {rule}}}",
                quote(&check.name),
                check.metric
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn a_pipelines_sustained_section_is_printed_with_its_origin() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let manifest = root.join("tests/fixtures/pipelines/86-freshness/pipeline.yaml");
        let p = crate::manifest::load(&manifest, &root).expect("the fixture plans");
        let text = super::render(&p, &root);
        let at = text.find("sustained:").expect("a sustained section");
        let section = &text[at..];
        assert!(
            section
                .lines()
                .next()
                .unwrap()
                .ends_with("# tests/fixtures/pipelines/86-freshness/pipeline.yaml:46"),
            "{section}"
        );
        for line in [
            "  replaces: silver\n",
            "  processor: silver_held (run processor: [",
            "  stop_signal: SIGINT\n",
            "  silver: \"files:/data/silver/*.jsonl\"\n",
            "  probe_service: generator\n",
            "  drain_timeout: 60s\n",
        ] {
            assert!(section.contains(line), "{line:?} missing:\n{section}");
        }
    }
}
