//! A job's submit: sent in its turn under the hub's limit, its answer recorded (the task id
//! kept outside the journal when the journal cannot take it), and a submit left unanswered by
//! a process that stopped settled.

use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use videohub::{Dynamic, Task};

use super::{Runner, Step};
use crate::error::{Error, Result};
use crate::hub_limit::Slot;
use crate::job::Job;
use crate::kept::{self, KeptTaskId};
use crate::state::JobState;
use crate::store::Change;
use crate::time::now_ms;

/// What became of a submit in its turn.
pub(super) enum Submit {
    /// The hub answered, with the job's task when it took it, and the job's place among the
    /// generations in flight.
    Answered(Job, Option<Box<Task<Dynamic>>>, Slot),
    /// The hub refused it for now: the job is pending again.
    Refused(Job),
}

/// What became of a submit.
enum Sent {
    /// The hub answered: the job is submitted (with its task), failed or of unknown
    /// outcome.
    Answered(Job, Option<Box<Task<Dynamic>>>),
    /// The hub refused it for now and did not take it: the job is pending again.
    Refused(Job, Option<Duration>),
}

impl Runner {
    /// A job left `submitting` by a process that stopped: submitted, when that process
    /// kept the task id it could not record; otherwise its outcome is unknown.
    pub(super) async fn settle_submitting(&self, job: &Job) -> Result<Job> {
        let places = kept::places(self.journal.file().as_deref());
        let change = match kept::find(&places, &job.id) {
            Some((kept, file)) => {
                let mut change = Change::to(JobState::Submitted);
                change.task_id = Some(kept.task_id.clone());
                change.detail = Some(format!(
                    "task {}, written back from {}",
                    kept.task_id,
                    file.display()
                ));
                change
            }
            None => {
                let mut change = Change::to(JobState::OutcomeUnknown);
                change.error = Some(format!(
                    "the process sending its submit stopped before the hub's answer was recorded, \
                     and kept no task id for it (looked in {})",
                    places
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                change
            }
        };
        self.journal
            .transition(&job.id, &[JobState::Submitting], change)
            .await
    }

    /// One submit, in its turn under the hub's limit: the job is pending again when the hub
    /// refused it for now (after [`Step::WaitingOnHub`]); else the answered job, with its
    /// task and its place among the generations in flight. `waited` says whether an
    /// earlier try of this job was refused.
    pub(super) async fn submit_in_turn(
        &self,
        job: Job,
        waited: &mut bool,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Submit> {
        let place = self.hub_limit.acquire().await;
        on_step(Step::Submitting(&job));
        match self.send_submit(job).await {
            Ok(Sent::Refused(pending, retry_after)) => {
                let wait = self.hub_limit.refused(retry_after, !*waited);
                *waited = true;
                on_step(Step::WaitingOnHub {
                    job: &pending,
                    wait,
                });
                Ok(Submit::Refused(pending))
            }
            Ok(Sent::Answered(answered, task)) => {
                self.settle(&answered, *waited);
                Ok(Submit::Answered(answered, task, place))
            }
            Err(error) => {
                if *waited {
                    self.hub_limit.gave_up();
                }
                Err(error)
            }
        }
    }

    /// Tells the hub's limit how a submit that was answered went.
    fn settle(&self, answered: &Job, waited: bool) {
        if answered.state == JobState::Submitted {
            self.hub_limit.accepted(waited);
        } else if waited {
            self.hub_limit.gave_up();
        }
    }

    /// Sends the submit of a pending job: its folder is tried, then `submitting` is
    /// recorded, then the submit is sent. A submit the hub refused for now makes the job
    /// pending again.
    async fn send_submit(&self, job: Job) -> Result<Sent> {
        let _one_at_a_time = self.submitting.lock().await;
        check_destination(&job.output_file())?;
        let mut sending = Change::to(JobState::Submitting);
        sending.submitted = true;
        let job = self
            .journal
            .transition(&job.id, &[JobState::Pending], sending)
            .await?;
        let sent = self
            .client
            .submit_unchecked(&job.endpoint, &job.model, job.input.clone())
            .await;
        // The hub did not take it (429, or 503, once the client's own retries are spent).
        let refused = match &sent {
            Err(videohub::Error::RateLimited { retry_after, .. }) => Some(*retry_after),
            Err(videohub::Error::Server { status: 503, .. }) => Some(None),
            _ => None,
        };
        if let Some(retry_after) = refused {
            let wait = retry_after.unwrap_or(Duration::ZERO);
            let mut change = Change::to(JobState::Pending);
            change.hub_limit_until =
                Some(now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
            change.detail = Some(match retry_after {
                Some(wait) => format!(
                    "the hub refused the submit for now (not taken); sent again in {}",
                    humantime::format_duration(wait)
                ),
                None => "the hub refused the submit for now (not taken); sent again later".into(),
            });
            let job = self
                .journal
                .transition(&job.id, &[JobState::Submitting], change)
                .await?;
            return Ok(Sent::Refused(job, retry_after));
        }
        let (change, task) = match sent {
            Ok(task) => {
                let mut change = Change::to(JobState::Submitted);
                change.task_id = Some(task.id().to_owned());
                change.detail = Some(format!("task {}", task.id()));
                (change, Some(task))
            }
            Err(videohub::Error::SubmitOutcomeUnknown { reason, .. }) => {
                let mut change = Change::to(JobState::OutcomeUnknown);
                change.error = Some(reason);
                (change, None)
            }
            Err(error) => {
                let mut change = Change::to(JobState::Failed);
                change.error = Some(match &error {
                    // Nothing was sent: no connection could be opened.
                    videohub::Error::Transport(e) if e.is_connect() => {
                        let mut cause: &dyn std::error::Error = e;
                        while let Some(next) = cause.source() {
                            cause = next;
                        }
                        format!("could not reach the hub at {}: {cause}", job.hub)
                    }
                    _ => format!("the hub refused the submit: {error}"),
                });
                (change, None)
            }
        };
        let task_id = change.task_id.clone();
        let job = match task_id {
            Some(task_id) => self.record_task_id(&job, &task_id, change).await?,
            None => {
                self.journal
                    .transition(&job.id, &[JobState::Submitting], change)
                    .await?
            }
        };
        Ok(Sent::Answered(job, task.map(Box::new)))
    }

    /// Records the hub's task id: the write is tried again with backoff for as long as the
    /// wait would have lasted (the poll policy's deadline), past a lock held or a disk full
    /// for longer than the busy timeout. When it still cannot be written the id is kept
    /// outside the journal and the error is [`Error::TaskIdKept`].
    async fn record_task_id(&self, job: &Job, task_id: &str, change: Change) -> Result<Job> {
        let patience = self.poll.get_deadline().unwrap_or(PATIENCE);
        let started = Instant::now();
        let mut backoff = Duration::from_millis(250);
        let cause = loop {
            match self
                .journal
                .transition(&job.id, &[JobState::Submitting], change.clone())
                .await
            {
                Ok(job) => return Ok(job),
                // Another process took the job over while the journal was out of reach and,
                // finding no answer, marked this very submit's outcome unknown: it is known.
                Err(moved @ Error::WrongState { .. }) => {
                    match self
                        .journal
                        .settle_unknown(&job.id, job.submits, task_id)
                        .await
                    {
                        Ok(Some(job)) => return Ok(job),
                        Ok(None) => break moved,
                        Err(error) => break error,
                    }
                }
                Err(
                    error @ (Error::Locked { .. } | Error::DiskFull { .. } | Error::Storage { .. }),
                ) if started.elapsed() < patience => {
                    tracing::warn!(job = %job.id, task = task_id, %error, retry_in_ms = backoff.as_millis() as u64, "the task id could not be recorded yet");
                    tokio::time::sleep(backoff.mul_f64(0.5 + fastrand::f64())).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
                Err(
                    error @ (Error::Locked { .. } | Error::DiskFull { .. } | Error::Storage { .. }),
                ) => break error,
                Err(error) => return Err(error),
            }
        };
        let kept = KeptTaskId {
            job_id: job.id.clone(),
            task_id: task_id.to_owned(),
            model: job.model.clone(),
            input_sha256: hex::encode(Sha256::digest(
                serde_json::Value::Object(job.input.clone())
                    .to_string()
                    .as_bytes(),
            )),
            hub: job.hub.clone(),
            journal: self.journal.location().to_owned(),
            at_ms: crate::time::now_ms(),
        };
        let places = kept::places(self.journal.file().as_deref());
        let file = match kept::append(&places, &kept) {
            Ok(file) => Some(file),
            Err(error) => {
                tracing::error!(job = %job.id, task = task_id, %error, "the task id could not be kept anywhere");
                None
            }
        };
        Err(Error::TaskIdKept {
            job: job.id.clone(),
            task_id: task_id.to_owned(),
            file,
            cause: cause.to_string(),
        })
    }
}

/// How long the task id's write is tried when the poll policy has no deadline.
const PATIENCE: Duration = Duration::from_secs(30 * 60);

/// Tries the folder of `path` by creating and removing a part file there, as the journal's error.
pub(crate) fn check_destination(path: &Path) -> Result<()> {
    videohub::__private::check_destination(path).map_err(|error| match error {
        videohub::Error::Io { path, source, .. } => Error::Destination {
            dir: path,
            message: source.to_string(),
        },
        other => Error::Hub(other),
    })
}
