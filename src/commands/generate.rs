//! `rtde generate`: the command line's arguments as the generator's typed options.

use anyhow::Result;

use crate::cli::{self, GenerateArgs};
use crate::exit;
use crate::freshness::pacing::PACING_PREFIX;
use crate::generate::{self, Category, Options};

pub fn generate(args: &GenerateArgs) -> Result<i32> {
    let mut options = options(args);
    if let (Some(text), Some(rate)) = (&args.duration, args.rate) {
        // `--duration` with `--rate`: rate × duration events (clap requires the rate).
        let duration = crate::manifest::duration::parse(text)
            .map_err(|err| crate::error::Error::InvalidInput(format!("--duration: {err}")))?;
        options.events = (rate * duration.as_secs_f64()).round() as u64;
    }
    if let Some(generated) = generate::run(&options, &mut std::io::stdout())? {
        // On stderr: stdout may be the events themselves (the `stdout` sink) or the oracle.
        if let Some(pacing) = &generated.pacing {
            // Read back by `rtde bench --rate` from the stage log (run::sustained).
            eprintln!("{PACING_PREFIX}{}", serde_json::to_string(pacing)?);
            if !pacing.valid {
                eprintln!(
                    "rtde generate: the generator fell {:.1} % behind its schedule of {} events/s \
                     (achieved {:.0} events/s): this run did not apply its load",
                    pacing.behind * 100.0,
                    pacing.rate,
                    pacing.achieved_rate
                );
            }
        }
        eprintln!("{generated}");
    }
    Ok(exit::OK)
}

fn options(args: &GenerateArgs) -> Options {
    let dirty = &args.dirty;
    let rates = [
        (Category::Duplicate, dirty.duplicate_rate),
        (Category::NonPositiveFare, dirty.non_positive_fare_rate),
        (Category::NegativeDistance, dirty.negative_distance_rate),
        (
            Category::NullPassengerCount,
            dirty.null_passenger_count_rate,
        ),
        (
            Category::DropoffBeforePickup,
            dirty.dropoff_before_pickup_rate,
        ),
        (Category::UnknownLocation, dirty.unknown_location_rate),
        (Category::OutsideWindow, dirty.outside_window_rate),
        (Category::Malformed, dirty.malformed_rate),
    ];
    Options {
        events: args.events,
        seed: args.seed,
        start: args.start.clone(),
        days: args.days,
        rate: args.rate,
        sinks: args.sinks.clone(),
        oracle_out: args.oracle_out.clone(),
        oracle: args.oracle,
        seeds: args.seeds.clone(),
        schemas: args.schemas.clone(),
        from: args.from.clone(),
        key: match args.key {
            cli::KafkaKey::TripId => generate::KafkaKey::TripId,
            cli::KafkaKey::PickupZone => generate::KafkaKey::PickupZone,
        },
        topic: args.topic.clone(),
        partitions: args.partitions,
        compression: match args.compression {
            cli::Compression::None => generate::Compression::None,
            cli::Compression::Gzip => generate::Compression::Gzip,
            cli::Compression::Snappy => generate::Compression::Snappy,
            cli::Compression::Lz4 => generate::Compression::Lz4,
            cli::Compression::Zstd => generate::Compression::Zstd,
        },
        linger_ms: args.linger_ms,
        batch_size: args.batch_size,
        dirty: rates
            .into_iter()
            .filter_map(|(category, rate)| rate.map(|rate| (category, rate)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parsed(args: &[&str]) -> Options {
        let cli = Cli::parse_from([&["rtde", "generate"], args].concat());
        let Command::Generate(args) = cli.command else {
            unreachable!("parsed as generate")
        };
        options(&args)
    }

    #[test]
    fn the_command_line_becomes_the_generators_options() {
        let o = parsed(&[
            "--key",
            "pickup-zone",
            "--compression",
            "zstd",
            "--duplicate-rate",
            "0.5",
            "--malformed-rate",
            "0",
        ]);
        assert_eq!(o.key, generate::KafkaKey::PickupZone);
        assert_eq!(o.compression, generate::Compression::Zstd);
        assert_eq!(
            o.dirty,
            [(Category::Duplicate, 0.5), (Category::Malformed, 0.0)]
        );
        let defaults = parsed(&[]);
        assert_eq!(defaults.key, generate::KafkaKey::TripId);
        assert_eq!(defaults.compression, generate::Compression::Lz4);
        assert!(defaults.dirty.is_empty(), "no rate given, none replaced");
    }
}
