//! The progress display while a job runs, on standard error when it is a terminal: a bar
//! with the expected time left once the model's task durations are known, a spinner
//! before that.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use videohub::TaskUpdate;

/// A bar or spinner on standard error, or nothing.
pub(crate) struct Progress(Option<Display>);

/// What is shown, redrawn a few times a second so that the bar moves between polls.
struct Display {
    bar: ProgressBar,
    state: Arc<Mutex<Shown>>,
    ticker: tokio::task::JoinHandle<()>,
}

/// The last known status and the task's age at an instant.
struct Shown {
    status: String,
    age_at: Option<(Instant, Duration)>,
    expected: Option<Duration>,
}

impl Shown {
    fn render(&self, bar: &ProgressBar) {
        let Some((at, age)) = self.age_at else {
            bar.set_message(self.status.clone());
            return;
        };
        let elapsed = age + at.elapsed();
        let mut message = format!("{} · {}s", self.status, elapsed.as_secs());
        if let Some(expected) = self.expected {
            let end = bar.length().unwrap_or(1).saturating_sub(1);
            bar.set_position((elapsed.as_millis() as u64).min(end));
            message.push_str(&format!(" · {}", remaining(expected, elapsed)));
        }
        bar.set_message(message);
    }
}

impl Progress {
    /// A display for a task of `model` when standard error is a terminal and `quiet` is
    /// false: a bar towards `expected` when given, else a spinner.
    pub(crate) fn start(model: &str, expected: Option<Duration>, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let (bar, template) = match expected {
            Some(expected) => (
                ProgressBar::new(expected.as_millis().max(1) as u64),
                "{spinner} {prefix} [{bar:24}] {msg}",
            ),
            None => (ProgressBar::new_spinner(), "{spinner} {prefix} {msg}"),
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .progress_chars("=> "),
        );
        bar.set_prefix(model.to_owned());
        let state = Arc::new(Mutex::new(Shown {
            status: "submitting".into(),
            age_at: None,
            expected,
        }));
        let ticker = {
            let (bar, state) = (bar.clone(), state.clone());
            tokio::spawn(async move {
                loop {
                    lock(&state).render(&bar);
                    bar.tick();
                    tokio::time::sleep(Duration::from_millis(120)).await;
                }
            })
        };
        Progress(Some(Display { bar, state, ticker }))
    }

    /// Names the task once it exists; its age counts from now.
    pub(crate) fn task(&self, model: &str, task_id: &str) {
        if let Some(display) = &self.0 {
            display.bar.set_prefix(format!("{model} {task_id}"));
            let mut shown = lock(&display.state);
            shown.status = "submitted".into();
            shown.age_at = Some((Instant::now(), Duration::ZERO));
        }
    }

    /// Shows a poll's status and the task's running time as the hub reports it.
    pub(crate) fn update(&self, update: &TaskUpdate) {
        if let Some(display) = &self.0 {
            let mut shown = lock(&display.state);
            shown.status = update.status().to_string();
            shown.age_at = Some((Instant::now(), update.elapsed()));
        }
    }

    /// Shows a step after the task, e.g. the download.
    pub(crate) fn step(&self, message: &str) {
        if let Some(display) = &self.0 {
            let mut shown = lock(&display.state);
            shown.age_at = None;
            shown.status = message.to_owned();
            if let Some(length) = display.bar.length().filter(|_| shown.expected.is_some()) {
                display.bar.set_position(length);
            }
        }
    }

    /// Says `message` once, above the display, or on standard error without one.
    pub(crate) fn note(&self, message: &str) {
        match &self.0 {
            Some(display) => display.bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    /// Removes the display.
    pub(crate) fn finish(&self) {
        if let Some(display) = &self.0 {
            display.ticker.abort();
            display.bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn lock(state: &Mutex<Shown>) -> std::sync::MutexGuard<'_, Shown> {
    state.lock().unwrap_or_else(|p| p.into_inner())
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
