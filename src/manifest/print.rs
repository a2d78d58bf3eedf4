//! `rtde validate --print`: the manifest as it runs, every layer resolved, each part with
//! the file and line it came from, so nobody resolves `extends:` and `use:` in their head.
//!
//! The text reads as YAML with the origins as comments; it is a view, not an input.

use std::fmt::Write;
use std::path::Path;

use super::Loc;
use super::pipeline::{Action, CheckRule, Command, Pipeline, ProbeKind, STACK_PARTS};
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
