//! `rtde topics create` and `rtde topics count`: the arguments to `topics`' calls, and the
//! lines a stage's log shows.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::cli::{TopicsArgs, TopicsCommand};
use crate::error::Error;
use crate::exit;
use crate::topics::{client_config, count, create, flink_offsets};

pub fn topics(args: &TopicsArgs) -> Result<i32> {
    match &args.command {
        TopicsCommand::Create {
            broker,
            partitions,
            topics,
        } => {
            let config = client_config(&broker.bootstrap);
            let deadline = Instant::now() + broker.timeout;
            create(&config, topics, *partitions, deadline)?;
            for topic in topics {
                println!("topic {} ready", topic.name);
            }
        }
        TopicsCommand::Count {
            broker,
            offsets_out,
            topics,
        } => {
            if offsets_out.is_some() && topics.len() != 1 {
                bail!(Error::InvalidInput(format!(
                    "--offsets-out writes the end offsets of one topic, but {} were given",
                    topics.len()
                )));
            }
            let config = client_config(&broker.bootstrap);
            let deadline = Instant::now() + broker.timeout;
            for topic in topics {
                let read = count(&config, topic, deadline)?;
                if let Some(path) = offsets_out {
                    std::fs::write(path, format!("{}\n", flink_offsets(&read.ends))).with_context(
                        || format!("writing the end offsets of {topic} to {}", path.display()),
                    )?;
                }
                println!("{topic}: messages={}", read.messages);
            }
        }
    }
    Ok(exit::OK)
}
