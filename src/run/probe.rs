//! `until` probes: a condition polled with a growing interval until it holds or its deadline
//! passes. This is how a manifest waits for "consumer offsets reached" or "job finished"
//! instead of sleeping for a guessed number of seconds.

use std::time::Duration;

use anyhow::{Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::context::{StageContext, service_container};
use super::log::StageLog;
use crate::engine::docker::Backoff;
use crate::manifest::{Probe, ProbeKind, duration};

/// One HTTP request may not take longer than this, so a hung endpoint cannot eat the
/// probe's whole deadline in one poll.
const HTTP_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn wait(probe: &Probe, ctx: &StageContext<'_>, log: &mut StageLog) -> Result<()> {
    let mut backoff = Backoff::new(
        probe.interval,
        probe.max_interval,
        Instant::now() + probe.timeout,
    );
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let result = tokio::select! {
            r = check(probe, ctx) => r,
            () = ctx.cancel.cancelled() => bail!("interrupted while waiting for the probe"),
        };
        let last = match result {
            Ok(()) => {
                log.note(&format!("probe held after {attempts} attempt(s)"))?;
                return Ok(());
            }
            Err(why) => {
                tracing::debug!("probe attempt {attempts}: {why}");
                why
            }
        };
        let paused = tokio::select! {
            p = backoff.pause() => p,
            () = ctx.cancel.cancelled() => bail!("interrupted while waiting for the probe"),
        };
        if !paused {
            bail!(
                "probe did not hold within {} ({attempts} attempts); last result: {last}",
                duration::format(probe.timeout)
            );
        }
    }
}

/// One attempt: `Ok` when the condition holds, else why not.
async fn check(probe: &Probe, ctx: &StageContext<'_>) -> std::result::Result<(), String> {
    match &probe.kind {
        ProbeKind::Exec(sc) => {
            let argv = sc
                .command
                .as_ref()
                .ok_or("exec probe without a command")?
                .render(ctx.vars)?;
            let container = service_container(ctx.engine, &ctx.project.name, &sc.service)
                .await
                .map_err(|e| format!("{e:#}"))?;
            let mut output = Vec::new();
            let code = ctx
                .engine
                .exec(&container, &argv, &[], &mut |b| output.extend_from_slice(b))
                .await
                .map_err(|e| format!("{e:#}"))?;
            if code == 0 {
                Ok(())
            } else {
                Err(format!(
                    "exit code {code}: {}",
                    String::from_utf8_lossy(&output).trim()
                ))
            }
        }
        ProbeKind::Http {
            url,
            status,
            contains,
        } => {
            let url = url.render(ctx.vars)?;
            let (code, body) = tokio::time::timeout(HTTP_ATTEMPT_TIMEOUT, http_get(&url))
                .await
                .map_err(|_| format!("no answer from {url} within 5s"))??;
            if let Some(want) = status
                && code != *want
            {
                return Err(format!("status {code}, want {want}"));
            }
            if status.is_none() && !(200..300).contains(&code) {
                return Err(format!("status {code}, want 2xx"));
            }
            match contains {
                Some(text) if !body.contains(text.as_str()) => {
                    Err(format!("body does not contain `{text}`"))
                }
                _ => Ok(()),
            }
        }
        ProbeKind::Log { service, regex, .. } => {
            let containers = ctx
                .engine
                .project_containers(&ctx.project.name)
                .await
                .map_err(|e| format!("{e:#}"))?;
            for c in containers.iter().filter(|c| &c.service == service) {
                let logs = ctx.engine.logs(&c.id).await.map_err(|e| format!("{e:#}"))?;
                if regex.is_match(&logs) {
                    return Ok(());
                }
            }
            Err(format!(
                "no log line of `{service}` matches `{}`",
                regex.as_str()
            ))
        }
        ProbeKind::Healthy { service, .. } => {
            let containers = ctx
                .engine
                .project_containers(&ctx.project.name)
                .await
                .map_err(|e| format!("{e:#}"))?;
            match containers
                .iter()
                .find(|c| &c.service == service && !c.one_off)
            {
                Some(c) if c.health.as_deref() == Some("healthy") => Ok(()),
                Some(c) => Err(format!(
                    "`{service}` is {}",
                    c.health.as_deref().unwrap_or("without a healthcheck")
                )),
                None => Err(format!("`{service}` has no container")),
            }
        }
    }
}

/// A minimal HTTP/1.0 GET: probes hit local, plain-HTTP endpoints (health and admin APIs),
/// so a full client would add weight and no capability.
async fn http_get(url: &str) -> std::result::Result<(u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{url}` is not an http:// url"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let mut stream = TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending to {addr}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| format!("reading from {addr}: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{addr} did not answer HTTP"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((code, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn http_get_reads_status_and_body() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).await.unwrap();
            s.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nnot y")
                .await
                .unwrap();
        });
        let (code, body) = http_get(&format!("http://{addr}/overview")).await.unwrap();
        assert_eq!(code, 503);
        assert_eq!(body, "not y");
    }

    #[tokio::test]
    async fn http_get_to_a_closed_port_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        assert!(http_get(&format!("http://{addr}/")).await.is_err());
    }
}
