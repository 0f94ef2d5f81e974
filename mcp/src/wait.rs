//! Waiting on a job for a bounded time, with progress notifications to the client.

use std::time::{Duration, Instant};

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::{Peer, RoleServer};
use videohub_app::{App, Live};
use videohub_journal::{Job, JobState, Result};

use crate::report::JobReport;
use crate::status::{Look, Status, look};

/// How often a wait looks at a job another process drives.
const JOURNAL_POLL: Duration = Duration::from_secs(1);

/// The longest time between two progress notifications of a wait.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// Progress notifications for one tool call, when its client sent a progress token.
pub(crate) struct Progress {
    peer: Peer<RoleServer>,
    token: ProgressToken,
    last: f64,
}

impl Progress {
    pub(crate) fn new(peer: Peer<RoleServer>, token: ProgressToken) -> Progress {
        Progress {
            peer,
            token,
            last: 0.0,
        }
    }

    /// Tells the client where the job stands: its status line, the task's running time (the
    /// progress, in seconds, always increasing) and, once the model's usual duration is
    /// known, the time left (`total`).
    async fn send(&mut self, status: Status) {
        let progress = (status.elapsed.as_secs_f64() * 10.0).round() / 10.0;
        let progress = if progress > self.last {
            progress
        } else {
            self.last + 0.1
        };
        self.last = progress;
        let mut param = ProgressNotificationParam::new(self.token.clone(), progress);
        if let Some(expected) = status.expected {
            param = param.with_total(expected.as_secs_f64().max(progress));
        }
        // A client that went away gets nothing; the job goes on.
        let _ = self
            .peer
            .notify_progress(param.with_message(status.message))
            .await;
    }
}

/// Waits until job `id` is final, or `wait` has passed and no submit of it is waiting for
/// its answer; drives the job meanwhile unless another process does. Returns the job's
/// report then.
pub(crate) async fn wait(
    app: &App,
    id: &str,
    wait: Duration,
    mut progress: Option<Progress>,
) -> Result<JobReport> {
    let deadline = Instant::now() + wait;
    let journal = app.journal();
    loop {
        let job = journal.job(id).await?;
        let expected = app.client().typical_duration(&job.model);
        let mut receiver = match look(app, &job, expected) {
            Look::Report(report) => return Ok(*report),
            Look::Here(receiver) => receiver,
        };
        loop {
            let live = receiver.borrow_and_update().clone();
            let job = journal.job(id).await?;
            if let Some(progress) = &mut progress {
                progress.send(Status::of(&job, Some(&live), expected)).await;
            }
            if !job.state.is_unfinished() {
                return Ok(JobReport::new(&job, Some(&live), expected, None));
            }
            if live.done && !live.busy {
                return Ok(JobReport::new(
                    &job,
                    Some(&live),
                    expected,
                    live.stopped.clone(),
                ));
            }
            if may_return(&job, Some(&live), deadline) {
                return Ok(JobReport::new(
                    &job,
                    Some(&live),
                    expected,
                    live.stopped.clone(),
                ));
            }
            if live.busy {
                // Another process drives it: look again (and take it over once it is gone).
                let left = deadline.saturating_duration_since(Instant::now());
                tokio::time::sleep(JOURNAL_POLL.min(left)).await;
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let tick = if left.is_zero() {
                Duration::from_millis(100)
            } else {
                PROGRESS_EVERY.min(left)
            };
            tokio::select! {
                changed = receiver.changed() => {
                    if changed.is_err() {
                        // The drive was stopped (the server is closing).
                        let job = journal.job(id).await?;
                        return Ok(JobReport::new(&job, Some(&live), expected, None));
                    }
                }
                () = tokio::time::sleep(tick) => {}
            }
        }
    }
}

/// Whether a wait for `job` may end: past the deadline, once no submit of it is waiting
/// for its answer (a call returns the task id, or what became of the submit).
fn may_return(job: &Job, live: Option<&Live>, deadline: Instant) -> bool {
    let sending = job.state == JobState::Pending && live.is_some_and(|l| !l.done && !l.busy)
        || job.state == JobState::Submitting && live.is_some_and(|l| l.submitting);
    Instant::now() >= deadline && !sending
}
