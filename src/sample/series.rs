//! The figures of a run, computed from the readings a sampler recorded: per-container peaks,
//! the stack's time-aligned sum, per-stage windows, CPU seconds. Pure: no I/O but the CSV
//! writer, which writes into whatever the caller passes.
//!
//! Containers are read at different moments (the stats stream) or appear and vanish between
//! samples (one-off containers), so every container is treated as a step function: its last
//! reading holds until its next one, from its first reading until it ends. The stack's memory
//! at a moment is the sum of those steps; it is evaluated at every moment any container was
//! read.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};

use super::Reading;
use super::report::{ContainerResources, ContainerStageResources, ResourceReport, StageResources};

/// One reading of one container, `t_us` microseconds after the sampler started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t_us: u64,
    pub reading: Reading,
}

/// Everything recorded about one container.
#[derive(Debug, Clone, Default)]
pub struct ContainerSeries {
    pub name: String,
    pub service: String,
    /// Running before sampling began: its CPU counter did not start at zero within the run.
    pub preexisting: bool,
    /// In time order.
    pub points: Vec<Point>,
    /// When it stopped (die event, or its cgroup vanished), if it did while sampling.
    pub ended_us: Option<u64>,
    /// From Docker's start and die events, when both were seen.
    pub lifetime_us: Option<u64>,
}

impl ContainerSeries {
    /// Its reading in force at `t_us`: the last one at or before it, while it lives.
    fn value_at(&self, t_us: u64) -> Option<&Reading> {
        if self.ended_us.is_some_and(|end| t_us >= end) {
            return None;
        }
        let index = self.points.partition_point(|p| p.t_us <= t_us);
        index.checked_sub(1).map(|i| &self.points[i].reading)
    }

    /// Its CPU counter at `t_us`; zero before its first reading unless it ran before sampling
    /// started (then its first reading is the base).
    fn cpu_usec_at(&self, t_us: u64) -> u64 {
        let index = self.points.partition_point(|p| p.t_us <= t_us);
        match index.checked_sub(1) {
            Some(i) => self.points[i].reading.cpu_usec,
            None => self.cpu_base_usec(),
        }
    }

    fn cpu_base_usec(&self) -> u64 {
        match self.points.first() {
            Some(first) if self.preexisting => first.reading.cpu_usec,
            _ => 0,
        }
    }
}

/// A stage window, as the harness marked it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageWindow {
    pub name: String,
    pub start_us: u64,
    /// `None` while open; an open stage ends when sampling ends.
    pub end_us: Option<u64>,
}

/// How the readings were taken, for the record.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodInfo {
    /// `cgroup` or `stats`.
    pub method: &'static str,
    pub cgroup_version: Option<String>,
    pub cgroup_driver: Option<String>,
    pub intended_interval: Duration,
    /// The kernel's high-water mark was reset at every stage start, so per-stage kernel peaks
    /// are the kernel's own.
    pub kernel_peak_per_stage: bool,
    /// Why `auto` chose the stats stream, when it did.
    pub note: Option<String>,
}

/// What a sampler hands over when it stops.
#[derive(Debug, Clone)]
pub struct Recording {
    pub info: MethodInfo,
    pub containers: Vec<ContainerSeries>,
    pub stages: Vec<StageWindow>,
    /// The moments of the regular sampling ticks (cgroup method), for the achieved interval.
    pub ticks_us: Vec<u64>,
    /// Scheduled ticks that did not happen, plus reads that failed for a live container.
    pub missed: u64,
    pub end_us: u64,
}

/// The Docker engine's stats stream sends one reading per second whatever is asked
/// (daemon/stats collector), so gaps are judged against that cadence or the intended interval,
/// whichever is longer.
pub const STATS_STREAM_CADENCE: Duration = Duration::from_secs(1);

impl Recording {
    /// The run's figures: per container, per stage and for the whole stack.
    pub fn report(&self) -> ResourceReport {
        let times = self.evaluation_times();
        let whole = Window {
            start_us: 0,
            end_us: self.end_us,
        };
        let (stack_peak, stack_mean) = self.stack_peak_and_mean(&times, whole);
        let containers: Vec<ContainerResources> = self
            .containers
            .iter()
            .map(|c| self.container_resources(c))
            .collect();
        // A fold from +0.0: `sum` of no floats is -0.0, which reads oddly in run.json.
        let cpu_s = containers.iter().fold(0.0, |total, c| total + c.cpu_s);
        let samples: usize = self.containers.iter().map(|c| c.points.len()).sum();
        ResourceReport {
            method: self.info.method.to_string(),
            cgroup_version: self.info.cgroup_version.clone(),
            cgroup_driver: self.info.cgroup_driver.clone(),
            method_note: self.info.note.clone(),
            intended_interval_ms: self.info.intended_interval.as_millis() as u64,
            achieved_interval_ms: self.achieved_interval_ms(),
            samples: samples as u64,
            samples_missed: self.missed + self.stream_gaps_missed(),
            stack_peak_mem_bytes: stack_peak,
            stack_mean_mem_bytes: stack_mean,
            cpu_s,
            avg_cores: per_second(cpu_s, whole.duration_us()),
            containers,
            stages: self
                .stages
                .iter()
                .map(|stage| self.stage_resources(stage, &times))
                .collect(),
        }
    }

    /// Writes `samples.csv`: one row per reading, in time order.
    pub fn write_samples_csv(&self, out: impl Write) -> Result<()> {
        let mut rows: Vec<(&Point, &ContainerSeries)> = self
            .containers
            .iter()
            .flat_map(|c| c.points.iter().map(move |p| (p, c)))
            .collect();
        rows.sort_by(|a, b| {
            a.0.t_us
                .cmp(&b.0.t_us)
                .then_with(|| a.1.name.cmp(&b.1.name))
        });
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record([
            "t_offset_ms",
            "service",
            "container",
            "mem_working_set_bytes",
            "mem_usage_bytes",
            "cpu_usec_total",
        ])?;
        for (point, container) in rows {
            writer
                .write_record([
                    (point.t_us / 1_000).to_string(),
                    container.service.clone(),
                    container.name.clone(),
                    point.reading.working_set_bytes.to_string(),
                    point.reading.usage_bytes.to_string(),
                    point.reading.cpu_usec.to_string(),
                ])
                .context("writing a sample row")?;
        }
        writer.flush().context("flushing samples.csv")?;
        Ok(())
    }

    /// Every moment any container was read or ended, sorted and deduplicated.
    fn evaluation_times(&self) -> Vec<u64> {
        let mut times: Vec<u64> = self
            .containers
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.t_us).chain(c.ended_us))
            .collect();
        times.sort_unstable();
        times.dedup();
        times
    }

    fn stack_working_set_at(&self, t_us: u64) -> u64 {
        self.containers
            .iter()
            .filter_map(|c| c.value_at(t_us))
            .map(|r| r.working_set_bytes)
            .sum()
    }

    /// The maximum and the time-weighted mean of the stack's working set inside `window`.
    /// The value in force when the window opens counts from its start.
    fn stack_peak_and_mean(&self, times: &[u64], window: Window) -> (u64, u64) {
        let mut moments: Vec<u64> = vec![window.start_us];
        moments.extend(
            times
                .iter()
                .copied()
                .filter(|&t| t > window.start_us && t <= window.end_us),
        );
        let mut peak = 0;
        let mut weighted = 0u128;
        for (i, &t) in moments.iter().enumerate() {
            let sum = self.stack_working_set_at(t);
            peak = peak.max(sum);
            let until = moments.get(i + 1).copied().unwrap_or(window.end_us);
            weighted += u128::from(sum) * u128::from(until.saturating_sub(t));
        }
        let span = window.duration_us();
        let mean = if span == 0 {
            peak
        } else {
            (weighted / u128::from(span)) as u64
        };
        (peak, mean)
    }

    fn container_resources(&self, c: &ContainerSeries) -> ContainerResources {
        let peak =
            |f: fn(&Reading) -> u64| c.points.iter().map(|p| f(&p.reading)).max().unwrap_or(0);
        let kernel_peak_bytes = c
            .points
            .iter()
            .filter_map(|p| p.reading.kernel_peak_bytes)
            .max();
        let end = c.ended_us.unwrap_or(self.end_us);
        let mean_working_set_bytes = match c.points.first() {
            Some(first) if end > first.t_us => {
                let mut weighted = 0u128;
                for (i, p) in c.points.iter().enumerate().filter(|(_, p)| p.t_us < end) {
                    let until = c.points.get(i + 1).map_or(end, |next| next.t_us.min(end));
                    weighted +=
                        u128::from(p.reading.working_set_bytes) * u128::from(until - p.t_us);
                }
                (weighted / u128::from(end - first.t_us)) as u64
            }
            Some(first) => first.reading.working_set_bytes,
            None => 0,
        };
        let cpu_usec = c.points.last().map_or(0, |last| {
            last.reading.cpu_usec.saturating_sub(c.cpu_base_usec())
        });
        let interval_us = self.info.intended_interval.as_micros() as u64;
        let shorter_than_one_sample = match c.lifetime_us {
            Some(lifetime) => lifetime < interval_us,
            None => c.ended_us.is_some() && c.points.len() <= 1,
        };
        ContainerResources {
            service: c.service.clone(),
            container: c.name.clone(),
            peak_working_set_bytes: peak(|r| r.working_set_bytes),
            peak_usage_bytes: peak(|r| r.usage_bytes),
            kernel_peak_bytes,
            mean_working_set_bytes,
            cpu_s: cpu_usec as f64 / 1e6,
            shorter_than_one_sample,
            readings: c.points.len() as u64,
            lifetime_ms: c.lifetime_us.map(|us| us / 1_000),
        }
    }

    fn stage_resources(&self, stage: &StageWindow, times: &[u64]) -> StageResources {
        let window = Window {
            start_us: stage.start_us,
            end_us: stage.end_us.unwrap_or(self.end_us),
        };
        let (stack_peak, stack_mean) = self.stack_peak_and_mean(times, window);
        let containers: Vec<ContainerStageResources> = self
            .containers
            .iter()
            .filter_map(|c| self.container_stage_resources(c, window))
            .collect();
        // A fold from +0.0: `sum` of no floats is -0.0, which reads oddly in run.json.
        let cpu_s = containers.iter().fold(0.0, |total, c| total + c.cpu_s);
        let kernel_peak_bytes = if self.info.kernel_peak_per_stage {
            let peaks: Vec<u64> = containers
                .iter()
                .filter_map(|c| c.kernel_peak_bytes)
                .collect();
            (!peaks.is_empty()).then(|| peaks.iter().sum())
        } else {
            None
        };
        StageResources {
            stage: stage.name.clone(),
            stack_peak_mem_bytes: stack_peak,
            kernel_peak_bytes,
            cpu_s,
            started_offset_ms: window.start_us / 1_000,
            ended_offset_ms: window.end_us / 1_000,
            stack_mean_mem_bytes: stack_mean,
            avg_cores: per_second(cpu_s, window.duration_us()),
            containers,
        }
    }

    /// A container's figures inside a stage; `None` when it never lived inside the window.
    fn container_stage_resources(
        &self,
        c: &ContainerSeries,
        window: Window,
    ) -> Option<ContainerStageResources> {
        let first = c.points.first()?;
        if first.t_us > window.end_us || c.ended_us.is_some_and(|end| end <= window.start_us) {
            return None;
        }
        let mut in_force: Vec<&Reading> = c.value_at(window.start_us).into_iter().collect();
        let inside: Vec<&Point> = c
            .points
            .iter()
            .filter(|p| p.t_us > window.start_us && p.t_us <= window.end_us)
            .collect();
        in_force.extend(inside.iter().map(|p| &p.reading));
        let peak = |f: fn(&Reading) -> u64| in_force.iter().map(|r| f(r)).max().unwrap_or(0);
        // The kernel's mark was reset as the stage opened, so readings strictly after the
        // start carry this stage's peak only.
        let kernel_peak_bytes = if self.info.kernel_peak_per_stage {
            inside
                .iter()
                .filter_map(|p| p.reading.kernel_peak_bytes)
                .max()
        } else {
            None
        };
        let cpu_usec = c
            .cpu_usec_at(window.end_us)
            .saturating_sub(c.cpu_usec_at(window.start_us));
        Some(ContainerStageResources {
            service: c.service.clone(),
            container: c.name.clone(),
            peak_working_set_bytes: peak(|r| r.working_set_bytes),
            peak_usage_bytes: peak(|r| r.usage_bytes),
            kernel_peak_bytes,
            cpu_s: cpu_usec as f64 / 1e6,
        })
    }

    /// The mean gap between regular ticks (cgroup) or between one container's consecutive
    /// readings (stats stream).
    fn achieved_interval_ms(&self) -> f64 {
        let gaps: Vec<u64> = if self.ticks_us.len() >= 2 {
            self.ticks_us.windows(2).map(|w| w[1] - w[0]).collect()
        } else {
            self.containers
                .iter()
                .flat_map(|c| c.points.windows(2).map(|w| w[1].t_us - w[0].t_us))
                .collect()
        };
        if gaps.is_empty() {
            return 0.0;
        }
        gaps.iter().sum::<u64>() as f64 / gaps.len() as f64 / 1_000.0
    }

    /// Readings the stats stream skipped: each gap longer than the cadence hides
    /// `round(gap / cadence) - 1` of them. Only the stats method has no ticks of its own.
    fn stream_gaps_missed(&self) -> u64 {
        if !self.ticks_us.is_empty() || self.info.method != "stats" {
            return 0;
        }
        let cadence = self
            .info
            .intended_interval
            .max(STATS_STREAM_CADENCE)
            .as_micros() as f64;
        self.containers
            .iter()
            .flat_map(|c| c.points.windows(2))
            .map(|w| (((w[1].t_us - w[0].t_us) as f64 / cadence).round() as u64).saturating_sub(1))
            .sum()
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start_us: u64,
    end_us: u64,
}

impl Window {
    fn duration_us(self) -> u64 {
        self.end_us.saturating_sub(self.start_us)
    }
}

fn per_second(cpu_s: f64, span_us: u64) -> f64 {
    if span_us == 0 {
        0.0
    } else {
        cpu_s / (span_us as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn reading(working_set_mib: u64, cpu_ms: u64, kernel_peak_mib: Option<u64>) -> Reading {
        Reading {
            usage_bytes: working_set_mib * MIB + MIB,
            working_set_bytes: working_set_mib * MIB,
            kernel_peak_bytes: kernel_peak_mib.map(|m| m * MIB),
            cpu_usec: cpu_ms * 1_000,
        }
    }

    fn series(name: &str, points: &[(u64, Reading)]) -> ContainerSeries {
        ContainerSeries {
            name: name.into(),
            service: name.into(),
            points: points
                .iter()
                .map(|&(t_ms, reading)| Point {
                    t_us: t_ms * 1_000,
                    reading,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn recording(method: &'static str, containers: Vec<ContainerSeries>, end_ms: u64) -> Recording {
        Recording {
            info: MethodInfo {
                method,
                cgroup_version: Some("1".into()),
                cgroup_driver: Some("cgroupfs".into()),
                intended_interval: Duration::from_millis(200),
                kernel_peak_per_stage: true,
                note: None,
            },
            containers,
            stages: Vec::new(),
            ticks_us: Vec::new(),
            missed: 0,
            end_us: end_ms * 1_000,
        }
    }

    #[test]
    fn stack_peak_is_the_peak_of_the_aligned_sum_not_the_sum_of_peaks() {
        // a peaks at 0 ms, b at 200 ms: the stack never holds both peaks at once.
        let a = series(
            "a",
            &[(0, reading(100, 0, None)), (200, reading(10, 0, None))],
        );
        let b = series(
            "b",
            &[(0, reading(10, 0, None)), (200, reading(100, 0, None))],
        );
        let report = recording("cgroup", vec![a, b], 400).report();
        assert_eq!(report.stack_peak_mem_bytes, 110 * MIB);
        assert_eq!(report.containers[0].peak_working_set_bytes, 100 * MIB);
        assert_eq!(report.containers[0].peak_usage_bytes, 101 * MIB);
    }

    #[test]
    fn staggered_readings_hold_until_the_next_one() {
        // Stats-stream style: b is read 500 ms after a; at 500 ms a still holds 50 MiB.
        let a = series(
            "a",
            &[(0, reading(50, 0, None)), (1000, reading(5, 0, None))],
        );
        let b = series(
            "b",
            &[(500, reading(30, 0, None)), (1500, reading(30, 0, None))],
        );
        let report = recording("stats", vec![a, b], 2000).report();
        assert_eq!(report.stack_peak_mem_bytes, 80 * MIB);
    }

    #[test]
    fn an_ended_container_stops_counting_at_its_end() {
        let mut gone = series("oneoff", &[(0, reading(100, 0, None))]);
        gone.ended_us = Some(100_000);
        let stays = series(
            "db",
            &[(0, reading(10, 0, None)), (200, reading(20, 0, None))],
        );
        let report = recording("cgroup", vec![gone, stays], 400).report();
        assert_eq!(report.stack_peak_mem_bytes, 110 * MIB);
        // 110 MiB for 100 ms, 10 MiB for 100 ms, 20 MiB for 200 ms over 400 ms.
        assert_eq!(
            report.stack_mean_mem_bytes,
            (110 * 100 + 10 * 100 + 20 * 200) * MIB / 400
        );
    }

    #[test]
    fn cpu_counts_from_zero_for_new_containers_and_from_the_first_reading_for_old_ones() {
        let new = series(
            "new",
            &[(0, reading(1, 500, None)), (1000, reading(1, 2500, None))],
        );
        let mut old = series(
            "old",
            &[
                (0, reading(1, 10_000, None)),
                (1000, reading(1, 11_000, None)),
            ],
        );
        old.preexisting = true;
        let report = recording("cgroup", vec![new, old], 2000).report();
        assert_eq!(report.containers[0].cpu_s, 2.5);
        assert_eq!(report.containers[1].cpu_s, 1.0);
        assert_eq!(report.cpu_s, 3.5);
        assert_eq!(report.avg_cores, 1.75);
    }

    #[test]
    fn stage_figures_come_from_their_window_only() {
        let c = series(
            "svc",
            &[
                (0, reading(10, 0, Some(300))),
                // Stage "load" opens at 100 ms: the boundary reading still carries the
                // previous segment's kernel peak (300 MiB), then the mark is reset.
                (100, reading(10, 100, Some(300))),
                (300, reading(40, 600, Some(250))),
                (500, reading(20, 900, Some(250))),
                (700, reading(20, 1000, Some(250))),
            ],
        );
        let mut rec = recording("cgroup", vec![c], 800);
        rec.stages = vec![
            StageWindow {
                name: "load".into(),
                start_us: 100_000,
                end_us: Some(500_000),
            },
            StageWindow {
                name: "idle".into(),
                start_us: 500_000,
                end_us: None,
            },
        ];
        let report = rec.report();
        let load = &report.stages[0];
        assert_eq!(load.stage, "load");
        assert_eq!(load.stack_peak_mem_bytes, 40 * MIB);
        assert_eq!(load.kernel_peak_bytes, Some(250 * MIB));
        assert!((load.cpu_s - 0.8).abs() < 1e-9, "{}", load.cpu_s);
        assert_eq!((load.started_offset_ms, load.ended_offset_ms), (100, 500));
        let idle = &report.stages[1];
        assert_eq!(idle.ended_offset_ms, 800);
        assert_eq!(idle.stack_peak_mem_bytes, 20 * MIB);
        assert!((idle.cpu_s - 0.1).abs() < 1e-9, "{}", idle.cpu_s);
        assert_eq!(report.containers[0].kernel_peak_bytes, Some(300 * MIB));
    }

    #[test]
    fn without_a_resettable_mark_stages_have_no_kernel_peak() {
        let c = series(
            "svc",
            &[
                (0, reading(10, 0, Some(300))),
                (200, reading(10, 0, Some(300))),
            ],
        );
        let mut rec = recording("stats", vec![c], 400);
        rec.info.kernel_peak_per_stage = false;
        rec.stages = vec![StageWindow {
            name: "s".into(),
            start_us: 0,
            end_us: Some(300_000),
        }];
        let report = rec.report();
        assert_eq!(report.stages[0].kernel_peak_bytes, None);
        assert_eq!(report.stages[0].containers[0].kernel_peak_bytes, None);
        assert_eq!(report.containers[0].kernel_peak_bytes, Some(300 * MIB));
    }

    #[test]
    fn a_container_that_started_inside_a_stage_counts_its_cpu_from_zero() {
        let late = series(
            "run",
            &[(400, reading(5, 300, None)), (600, reading(5, 700, None))],
        );
        let mut rec = recording("cgroup", vec![late], 1000);
        rec.stages = vec![StageWindow {
            name: "s".into(),
            start_us: 200_000,
            end_us: Some(1_000_000),
        }];
        assert!((rec.report().stages[0].cpu_s - 0.7).abs() < 1e-9);
    }

    #[test]
    fn short_lives_are_flagged() {
        let mut brief = series("oneoff", &[(100, reading(5, 10, None))]);
        brief.ended_us = Some(150_000);
        brief.lifetime_us = Some(120_000);
        let mut long = series("job", &[(100, reading(5, 10, None))]);
        long.ended_us = Some(900_000);
        long.lifetime_us = Some(800_000);
        let mut unseen_end = series("quick", &[(100, reading(5, 10, None))]);
        unseen_end.ended_us = Some(300_000);
        let report = recording("cgroup", vec![brief, long, unseen_end], 1000).report();
        let flags: Vec<bool> = report
            .containers
            .iter()
            .map(|c| c.shorter_than_one_sample)
            .collect();
        assert_eq!(flags, [true, false, true]);
        assert_eq!(report.containers[0].lifetime_ms, Some(120));
    }

    #[test]
    fn achieved_interval_and_missed_readings() {
        let mut rec = recording("cgroup", vec![], 1000);
        rec.ticks_us = vec![0, 200_000, 400_000, 800_000];
        rec.missed = 1;
        let report = rec.report();
        assert!((report.achieved_interval_ms - 800.0 / 3.0).abs() < 1e-9);
        assert_eq!(report.samples_missed, 1);

        let c = series(
            "s",
            &[
                (0, reading(1, 0, None)),
                (1000, reading(1, 0, None)),
                (4000, reading(1, 0, None)),
            ],
        );
        let report = recording("stats", vec![c], 4000).report();
        assert_eq!(report.achieved_interval_ms, 2000.0);
        assert_eq!(report.samples_missed, 2);
    }

    #[test]
    fn samples_csv_has_the_contract_columns_in_time_order() {
        let a = series(
            "b-svc",
            &[(0, reading(1, 1, None)), (200, reading(2, 2, None))],
        );
        let b = series("a-svc", &[(200, reading(3, 3, None))]);
        let mut out = Vec::new();
        recording("cgroup", vec![a, b], 400)
            .write_samples_csv(&mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "t_offset_ms,service,container,mem_working_set_bytes,mem_usage_bytes,cpu_usec_total",
                "0,b-svc,b-svc,1048576,2097152,1000",
                "200,a-svc,a-svc,3145728,4194304,3000",
                "200,b-svc,b-svc,2097152,3145728,2000",
            ]
        );
    }
}
