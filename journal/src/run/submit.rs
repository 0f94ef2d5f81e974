//! A job's submit: sent in its turn under the hub's limit, its answer recorded (the task id
//! kept outside the journal when the journal cannot take it), and a submit left unanswered by
//! a process that stopped settled.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tracing::Instrument;
use videohub::{Dynamic, Task};

use super::{Backoff, Runner, Step};
use crate::error::{Error, Result};
use crate::hub_limit::Slot;
use crate::job::Job;
use crate::kept::{self, KeptTaskId};
use crate::objects::{Target, target};
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
        self.transition(&job.id, &[JobState::Submitting], change)
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
        // One submit at a time; this one runs to the end of its answer's recording whatever
        // becomes of this drive (a stop, a lost lease), holding its turn until then, so that
        // no stop leaves its outcome unknown.
        let turn = Arc::clone(&self.submitting).lock_owned().await;
        // In the job's span: the submit's request is part of the job's trace.
        let sending = tokio::spawn(
            {
                let runner = self.clone();
                async move {
                    let sent = runner.send_submit(job).await;
                    drop(turn);
                    sent
                }
            }
            .in_current_span(),
        );
        let sent = sending.await.unwrap_or_else(|panic| {
            std::panic::resume_unwind(panic.into_panic());
        });
        match sent {
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

    /// Records task `task_id` of `job`'s submit, marked of unknown outcome by another
    /// process while this one could not record it (see
    /// [`Journal::settle_unknown`](crate::Journal)), and takes the job back to drive it on
    /// when nobody holds it; [`Error::LeaseLost`] when another process does. `None` when the
    /// job is not in that state.
    async fn settled_late(&self, job: &Job, task_id: &str) -> Result<Option<Job>> {
        let settled = self
            .persist(|| self.journal.settle_unknown(&job.id, job.submits, task_id))
            .await?;
        let Some(settled) = settled else {
            return Ok(None);
        };
        if self
            .persist(|| self.journal.claim(&settled.id, &self.owner))
            .await?
        {
            return self.journal.job(&settled.id).await.map(Some);
        }
        Err(self.not_held(&settled.id).await)
    }

    /// [`Error::LeaseLost`] for job `id`, naming who holds it.
    async fn not_held(&self, id: &str) -> Error {
        let owner = self.journal.job(id).await.ok().and_then(|j| j.owner);
        Error::LeaseLost {
            id: id.to_owned(),
            owner,
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

    /// Sends the submit of a pending job, in the runner's one turn to submit: its folder is
    /// tried, then `submitting` is recorded, then the submit is sent. A submit the hub
    /// refused for now makes the job pending again.
    async fn send_submit(&self, job: Job) -> Result<Sent> {
        self.try_destination(&job.output_file()).await?;
        let mut sending = Change::to(JobState::Submitting);
        sending.submitted = true;
        let job = self
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
                self.transition(&job.id, &[JobState::Submitting], change)
                    .await?
            }
        };
        Ok(Sent::Answered(job, task.map(Box::new)))
    }

    /// Records the hub's task id: the write is tried again with backoff for as long as the
    /// wait would have lasted (the poll policy's deadline), past a server out of reach, a
    /// lock held or a disk full for longer than the busy timeout. When it still cannot be
    /// written (or an immediate stop cuts the wait short) the id is kept outside the
    /// journal and the error is [`Error::TaskIdKept`].
    async fn record_task_id(&self, job: &Job, task_id: &str, change: Change) -> Result<Job> {
        let mut backoff = Backoff::new();
        let cause = loop {
            match self
                .transition(&job.id, &[JobState::Submitting], change.clone())
                .await
            {
                Ok(job) => return Ok(job),
                // Another process took the job over while the journal was out of reach and,
                // finding no answer, marked this very submit's outcome unknown: it is known.
                Err(moved @ (Error::WrongState { .. } | Error::LeaseLost { .. })) => {
                    match self.settled_late(job, task_id).await {
                        Ok(Some(job)) => return Ok(job),
                        Ok(None) => break moved,
                        Err(error) => break error,
                    }
                }
                Err(error @ (Error::DiskFull { .. } | Error::Storage { .. })) => {
                    tracing::warn!(job = %job.id, task = task_id, %error, "the task id could not be recorded yet");
                    if let Err(error) = self.wait_out(error, &mut backoff).await {
                        break error;
                    }
                }
                // An outage past the patience, or cut short by a stop: the id is kept.
                Err(error @ (Error::Unreachable { .. } | Error::Locked { .. })) => break error,
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

impl Runner {
    /// Tries where `path` saves before anything is sent: its folder takes a part file, or
    /// its bucket a trial object ([`Error::Destination`] when not).
    pub(crate) async fn try_destination(&self, path: &Path) -> Result<()> {
        match target(path)? {
            Target::File(file) => check_folder(&file),
            #[cfg(feature = "object-store")]
            Target::Object(url) => self.probe(&url).await,
        }
    }
}

/// Tries the folder of the file `path` by creating and removing a part file there, as the
/// journal's error.
fn check_folder(path: &Path) -> Result<()> {
    videohub::__private::check_destination(path).map_err(|error| match error {
        videohub::Error::Io { path, source, .. } => Error::Destination {
            dir: path,
            message: source.to_string(),
        },
        other => Error::Hub(other),
    })
}
