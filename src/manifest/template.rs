//! `${name}` interpolation of manifest strings.
//!
//! Variables come from the manifest's `variables`, the command line (`--events`, `--seed`,
//! `--var`) and rtde's built-ins (`run_id`, `project`, `run_dir`, …). An unknown name is an
//! error that points at the string's place in the manifest; `$${` writes a literal `${`.

use std::collections::BTreeMap;

use super::Loc;

/// A manifest string that may hold `${name}` references, with where it was written.
#[derive(Debug, Clone)]
pub struct Template {
    pub text: String,
    pub loc: Loc,
}

impl Template {
    pub fn new(text: impl Into<String>, loc: Loc) -> Self {
        Template {
            text: text.into(),
            loc,
        }
    }

    /// The text with every reference replaced.
    pub fn render(&self, vars: &BTreeMap<String, String>) -> Result<String, String> {
        render(&self.text, vars)
    }

    /// The names this template refers to.
    pub fn references(&self) -> Vec<String> {
        let mut names = Vec::new();
        let _ = scan(&self.text, &mut |name| {
            names.push(name.to_string());
            Some(String::new())
        });
        names
    }
}

/// Replace every `${name}` in `text`; the error names the unknown variable and the known ones.
pub fn render(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut missing = None;
    let out = scan(text, &mut |name| {
        let value = vars.get(name).cloned();
        if value.is_none() && missing.is_none() {
            missing = Some(name.to_string());
        }
        value
    })?;
    match missing {
        None => Ok(out),
        Some(name) => Err(format!(
            "unknown variable `${{{name}}}`; define it under `variables:` or pass --var {name}=VALUE (known: {})",
            vars.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
    }
}

fn scan(text: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(escaped) = after.strip_prefix("${") {
            out.push_str("${");
            rest = escaped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{text}`; close it with `}}`"))?;
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`${{{name}}}` is not a variable name (letters, digits and _ only)"
                ));
            }
            out.push_str(&lookup(name).unwrap_or_default());
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("events", "10000"), ("seed", "42")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn replaces_references_and_keeps_other_dollars() {
        assert_eq!(
            render("gen --events ${events} --seed ${seed} $HOME", &vars()).unwrap(),
            "gen --events 10000 --seed 42 $HOME"
        );
    }

    #[test]
    fn double_dollar_is_a_literal() {
        assert_eq!(
            render("echo $${events}", &vars()).unwrap(),
            "echo ${events}"
        );
    }

    #[test]
    fn unknown_variable_is_named_with_the_known_ones() {
        let err = render("${evnts}", &vars()).unwrap_err();
        assert!(
            err.contains("`${evnts}`") && err.contains("events, seed"),
            "{err}"
        );
    }

    #[test]
    fn unclosed_reference_is_an_error() {
        assert!(
            render("${events", &vars())
                .unwrap_err()
                .contains("unclosed")
        );
    }

    #[test]
    fn references_are_listed() {
        let t = Template::new("${a}-${b}-$${c}", Loc::default());
        assert_eq!(t.references(), ["a", "b"]);
    }
}
