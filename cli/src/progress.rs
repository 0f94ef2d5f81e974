//! The progress display while a task runs: a spinner with status and elapsed time on a
//! terminal, nothing when standard error is piped.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use videohub::TaskUpdate;

/// A spinner on standard error, or nothing.
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner for `task_id` when standard error is a terminal and `quiet` is false.
    pub(crate) fn start(model: &str, task_id: &str, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(format!("{model} {task_id}"));
        bar.set_message("submitted");
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Shows a poll's status and the task's running time.
    pub(crate) fn update(&self, update: &TaskUpdate) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!(
                "{} · {}s",
                update.status(),
                update.elapsed().as_secs()
            ));
        }
    }

    /// Shows a step after the task, e.g. the download.
    pub(crate) fn step(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_owned());
        }
    }

    /// Removes the spinner.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
