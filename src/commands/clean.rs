//! `rtde clean`: remove what dead rtde processes left behind.

use anyhow::Result;

use super::Context;
use crate::engine::docker::Engine;
use crate::exit;
use crate::output::Event;

pub async fn clean(ctx: &Context) -> Result<i32> {
    let engine = Engine::connect().await?;
    if ctx.sweep(&engine).await? == 0 {
        ctx.reporter.event(Event::Note(
            "nothing to clean: no resources of dead rtde runs".into(),
        ));
    }
    Ok(exit::OK)
}
