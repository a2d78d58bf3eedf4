//! Child processes of a stage (`host` commands, `compose run`): output streamed to the stage
//! log as it arrives, kept for captures, and the whole process group killed on a timeout or
//! an interrupt so nothing the stage started outlives it.

use std::process::Stdio;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

use super::log::StageLog;

/// How a child ended.
pub enum Ended {
    Exited(i64),
    /// Killed by us (timeout or interrupt); the caller knows which.
    Killed,
}

/// Run `cmd` to completion or until `stop` resolves, streaming its output into `log`.
pub async fn run_streamed(
    mut cmd: Command,
    log: &mut StageLog,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Ended> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd.spawn().context("starting the stage command")?;
    let pgid = child.id();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let readers = [
        spawn_reader(child.stdout.take(), tx.clone()),
        spawn_reader(child.stderr.take(), tx),
    ];
    tokio::pin!(stop);
    let ended = loop {
        tokio::select! {
            Some(line) = rx.recv() => log.line(&line)?,
            status = child.wait() => {
                let status = status.context("waiting for the stage command")?;
                break Ended::Exited(status.code().map_or(-1, i64::from));
            }
            () = &mut stop => {
                if let Some(pgid) = pgid {
                    kill_group(pgid);
                }
                let _ = child.wait().await;
                break Ended::Killed;
            }
        }
    };
    for reader in readers {
        let _ = reader.await;
    }
    while let Ok(line) = rx.try_recv() {
        log.line(&line)?;
    }
    Ok(ended)
}

fn spawn_reader(
    pipe: Option<impl AsyncRead + Unpin + Send + 'static>,
    tx: mpsc::UnboundedSender<String>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(pipe) = pipe else { return };
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    })
}

fn kill_group(pgid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pgid) {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}
