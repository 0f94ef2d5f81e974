//! The progress display while a job runs, on standard error when it is a terminal: a bar
//! with the expected time left once the model's task durations are known, a spinner
//! before that.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use videohub::TaskUpdate;

/// A bar or spinner on standard error, or nothing.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    /// The model's typical task duration, when known.
    expected: Option<Duration>,
}

impl Progress {
    /// A display for a task of `model` when standard error is a terminal and `quiet` is
    /// false: a bar towards `expected` when given, else a spinner.
    pub(crate) fn start(model: &str, expected: Option<Duration>, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                expected,
            };
        }
        let bar = match expected {
            Some(expected) => {
                let bar = ProgressBar::new(expected.as_millis().max(1) as u64);
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix} [{bar:24}] {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_prefix(model.to_owned());
        bar.set_message("submitting");
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar: Some(bar),
            expected,
        }
    }

    /// Names the task once it exists.
    pub(crate) fn task(&self, model: &str, task_id: &str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("{model} {task_id}"));
            bar.set_message("submitted");
        }
    }

    /// Shows a poll's status, the task's running time and what is left of the expected time.
    pub(crate) fn update(&self, update: &TaskUpdate) {
        let Some(bar) = &self.bar else { return };
        let elapsed = update.elapsed();
        let mut message = format!("{} · {}s", update.status(), elapsed.as_secs());
        if let Some(expected) = self.expected {
            bar.set_position((elapsed.as_millis() as u64).min(bar.length().unwrap_or(1) - 1));
            message.push_str(&format!(" · {}", remaining(expected, elapsed)));
        }
        bar.set_message(message);
    }

    /// Shows a step after the task, e.g. the download.
    pub(crate) fn step(&self, message: &str) {
        if let Some(bar) = &self.bar {
            if let Some(length) = bar.length().filter(|_| self.expected.is_some()) {
                bar.set_position(length);
            }
            bar.set_message(message.to_owned());
        }
    }

    /// Removes the display.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "about 40s left", or "longer than usual" past the typical duration.
fn remaining(expected: Duration, elapsed: Duration) -> String {
    match expected.checked_sub(elapsed) {
        Some(left) if left >= Duration::from_secs(1) => format!("about {}s left", left.as_secs()),
        Some(_) => "any moment now".to_owned(),
        None => "longer than usual".to_owned(),
    }
}

/// A byte count for people: `20.1 KB`, `1.3 GB`.
pub(crate) fn bytes(size: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = size as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{size} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_and_sizes() {
        let s = Duration::from_secs;
        assert_eq!(remaining(s(60), s(20)), "about 40s left");
        assert_eq!(
            remaining(s(60), Duration::from_millis(59_500)),
            "any moment now"
        );
        assert_eq!(remaining(s(60), s(61)), "longer than usual");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(20_100), "20.1 KB");
        assert_eq!(bytes(1_300_000_000), "1.3 GB");
    }
}
