//! The bar of `videohub batch run` on standard error: jobs done of the batch, the rate in
//! jobs per minute, the time left, and the jobs failed and waiting on the hub's limit.
//! Counted in this process as jobs finish (never read from the journal), and drawn four
//! times a second at most.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use videohub_journal::Runner;

use crate::output::outln;

/// How often the bar is drawn.
const DRAW: Duration = Duration::from_millis(250);

/// One bar for the whole batch.
pub(crate) struct BatchProgress(Option<Shown>);

struct Shown {
    bar: ProgressBar,
    failed: Arc<AtomicU64>,
    ticker: tokio::task::JoinHandle<()>,
}

/// What the time left is estimated from.
pub(crate) struct Pace {
    /// Lines of the batch.
    pub(crate) total: u64,
    /// Lines finished by earlier runs (they do not count towards this run's rate).
    pub(crate) done_before: u64,
    /// Generations in flight at once.
    pub(crate) concurrency: usize,
    /// How long a task of the batch's (first) model usually takes, when learned.
    pub(crate) typical: Option<Duration>,
}

impl Pace {
    /// The jobs per minute of this run, and the time left: from the measured rate once a
    /// few jobs finished here, else from the learned duration of a task.
    fn estimate(&self, done: u64, elapsed: Duration) -> (Option<f64>, Option<Duration>) {
        let here = done.saturating_sub(self.done_before);
        let left = self.total.saturating_sub(done);
        let per_minute = (here > 0 && elapsed >= Duration::from_secs(1))
            .then(|| here as f64 * 60.0 / elapsed.as_secs_f64());
        let measured_enough = here >= (self.concurrency as u64).clamp(1, 20);
        let eta = match (per_minute, self.typical) {
            (Some(rate), _) if measured_enough => {
                Duration::try_from_secs_f64(left as f64 * 60.0 / rate).ok()
            }
            (_, Some(typical)) => {
                let rounds = left.div_ceil(self.concurrency.max(1) as u64);
                Some(typical.saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX)))
            }
            (Some(rate), None) => Duration::try_from_secs_f64(left as f64 * 60.0 / rate).ok(),
            (None, None) => None,
        };
        (per_minute, eta)
    }
}

/// The bar's message: failed, waiting, rate and time left, the parts that apply.
fn message(failed: u64, waiting: usize, per_minute: Option<f64>, eta: Option<Duration>) -> String {
    let mut parts = Vec::new();
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if waiting > 0 {
        parts.push(format!("{waiting} waiting on the hub's limit"));
    }
    if let Some(rate) = per_minute {
        parts.push(format!("{rate:.0} jobs/min"));
    }
    if let Some(eta) = eta {
        let secs = eta.as_secs();
        parts.push(format!(
            "{}h{:02}m{:02}s left",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ));
    }
    parts.join(" · ")
}

impl BatchProgress {
    /// A bar when standard error is a terminal and `quiet` is false.
    pub(crate) fn start(pace: Pace, runner: &Runner, quiet: bool) -> BatchProgress {
        if quiet || !std::io::stderr().is_terminal() {
            return BatchProgress(None);
        }
        let bar =
            ProgressBar::with_draw_target(Some(pace.total), ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_position(pace.done_before);
        let failed = Arc::new(AtomicU64::new(0));
        let ticker = {
            let (bar, failed, runner) = (bar.clone(), failed.clone(), runner.clone());
            let started = Instant::now();
            tokio::spawn(async move {
                loop {
                    let (per_minute, eta) = pace.estimate(bar.position(), started.elapsed());
                    let failed = failed.load(Ordering::Relaxed);
                    bar.set_message(message(failed, runner.waiting_on_hub(), per_minute, eta));
                    bar.tick();
                    tokio::time::sleep(DRAW).await;
                }
            })
        };
        BatchProgress(Some(Shown {
            bar,
            failed,
            ticker,
        }))
    }

    /// One more job is final (`ok`: downloaded) or stopped short.
    pub(crate) fn done(&self, ok: bool) {
        if let Some(shown) = &self.0 {
            shown.bar.inc(1);
            if !ok {
                shown.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Prints a finished job's line above the bar (or as is, without a bar).
    pub(crate) fn println(&self, line: String) {
        match &self.0 {
            Some(shown) => shown.bar.println(line),
            None => outln!("{line}"),
        }
    }

    /// Prints what the run says of itself (the journal out of reach, a disk that fails)
    /// on standard error, above the bar.
    pub(crate) fn note(&self, text: &str) {
        match &self.0 {
            Some(shown) => shown.bar.println(format!("note: {text}")),
            None => eprintln!("note: {text}"),
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(shown) = &self.0 {
            shown.ticker.abort();
            shown.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_comes_from_learned_durations_then_from_the_measured_rate() {
        let pace = Pace {
            total: 1_000,
            done_before: 100,
            concurrency: 10,
            typical: Some(Duration::from_secs(30)),
        };
        // Nothing done here yet: 900 left in rounds of 10 tasks of 30 s.
        let (rate, eta) = pace.estimate(100, Duration::ZERO);
        assert_eq!((rate, eta), (None, Some(Duration::from_secs(90 * 30))));
        // 60 done here in a minute: 840 left at 60 a minute.
        let (rate, eta) = pace.estimate(160, Duration::from_secs(60));
        assert_eq!(rate, Some(60.0));
        assert_eq!(eta, Some(Duration::from_secs(840)));
        assert_eq!(
            message(2, 5, rate, eta),
            "2 failed · 5 waiting on the hub's limit · 60 jobs/min · 0h14m00s left"
        );
        assert_eq!(message(0, 0, None, None), "");
    }
}
