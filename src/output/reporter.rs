//! Rendering events: a live spinner on a terminal, plain lines elsewhere.
//!
//! Whether to draw a spinner is decided once, by [`Style::resolve`], from inputs passed in
//! (is stdout a terminal, is this CI) so the decision is testable, as nextest does it. Some
//! CI systems pretend to be terminals, so `CI` set means plain lines regardless.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A spinner with the current pipeline, stage and elapsed time.
    Live,
    /// One timestamped line per event.
    Plain,
}

impl Style {
    /// | terminal | CI  | style |
    /// |----------|-----|-------|
    /// | yes      | no  | Live  |
    /// | yes      | yes | Plain |
    /// | no       | any | Plain |
    pub fn resolve(is_terminal: bool, is_ci: bool) -> Style {
        if is_terminal && !is_ci {
            Style::Live
        } else {
            Style::Plain
        }
    }
}

pub trait Reporter: Send + Sync {
    fn event(&self, event: Event);
}

/// The reporter for the terminal or a log.
pub struct Console {
    style: Style,
    started: Instant,
    spinner: Mutex<Option<ProgressBar>>,
}

impl Console {
    pub fn new(style: Style) -> Console {
        Console {
            style,
            started: Instant::now(),
            spinner: Mutex::new(None),
        }
    }

    fn line(&self, text: &str) {
        let guard = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(bar) => bar.println(text),
            None => {
                let elapsed = self.started.elapsed().as_secs_f64();
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "[{elapsed:>8.2}s] {text}");
            }
        }
    }

    fn spin(&self, message: String) {
        if self.style != Style::Live {
            return;
        }
        let mut guard = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        let bar = guard.get_or_insert_with(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .expect("a constant template parses"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message);
    }

    fn stop_spinner(&self) {
        if let Some(bar) = self
            .spinner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Seconds with millisecond resolution, the unit every figure of rtde uses.
pub fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

impl Reporter for Console {
    fn event(&self, event: Event) {
        match event {
            Event::RunStarted {
                pipeline,
                index,
                total,
                warmup,
                project,
            } => {
                let kind = if warmup { "warm-up run" } else { "run" };
                self.line(&format!(
                    "{pipeline}: {kind} {}/{total} (project {project})",
                    index + 1
                ));
                self.spin(format!("{pipeline}: starting"));
            }
            Event::Phase { pipeline, phase } => {
                if self.style == Style::Plain {
                    self.line(&format!("{pipeline}: {phase}"));
                }
                self.spin(format!("{pipeline}: {phase}"));
            }
            Event::StageStarted {
                pipeline,
                stage,
                index,
                total,
            } => {
                if self.style == Style::Plain {
                    self.line(&format!("{pipeline}: stage {}/{total} {stage}", index + 1));
                }
                self.spin(format!("{pipeline}: stage {}/{total} {stage}", index + 1));
            }
            Event::StageFinished {
                pipeline,
                stage,
                status,
                duration,
            } => self.line(&format!(
                "{pipeline}: {stage} {status} in {}",
                secs(duration)
            )),
            Event::RunFinished {
                pipeline,
                status,
                e2e,
                run_dir,
                error,
            } => {
                self.stop_spinner();
                self.line(&format!(
                    "{pipeline}: {status}, end to end {} — record in {run_dir}",
                    secs(e2e)
                ));
                if let Some(error) = error {
                    self.line(&format!("{pipeline}: {error}"));
                }
            }
            Event::Warning(text) => self.line(&format!("warning: {text}")),
            Event::Note(text) => self.line(&text),
            Event::Document(text) => {
                self.stop_spinner();
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinner_only_on_a_terminal_outside_ci() {
        assert_eq!(Style::resolve(true, false), Style::Live);
        assert_eq!(Style::resolve(true, true), Style::Plain);
        assert_eq!(Style::resolve(false, false), Style::Plain);
        assert_eq!(Style::resolve(false, true), Style::Plain);
    }
}
