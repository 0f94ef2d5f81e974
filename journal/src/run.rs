//! Driving a journaled job through the hub: submit, wait, download, each step recorded
//! before the next begins.

use std::path::Path;
use std::pin::pin;
use std::sync::Arc;

use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use videohub::{Client, Dynamic, Output, PollPolicy, Task, TaskState, TaskUpdate};

use crate::error::{Error, Result};
use crate::job::{Job, NewJob};
use crate::owner::{LEASE, Owner};
use crate::state::JobState;
use crate::store::{Change, Journal};

/// A step of a job, reported while [`Runner::run`] or [`Runner::resume`] drives it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step<'a> {
    /// The job is recorded and its submit is about to be sent.
    Submitting(&'a Job),
    /// The hub created the task; the job now holds its id.
    Submitted(&'a Job),
    /// A poll of the task.
    Polled(&'a TaskUpdate),
    /// The output is being saved to `path`.
    Downloading {
        /// The job.
        job: &'a Job,
        /// Where it goes.
        path: &'a Path,
    },
}

/// Runs journaled jobs with a client: every job is recorded before its submit is sent,
/// and each step is recorded before the next one starts.
///
/// A job ends in a final state ([`JobState::Downloaded`], [`JobState::Failed`],
/// [`JobState::Timeout`], [`JobState::Cancelled`] or [`JobState::OutcomeUnknown`]), which
/// [`Runner::run`] returns as `Ok`; an `Err` means the job stopped short (the hub could not
/// be reached, the wait's deadline passed, the file could not be written) and is left
/// unfinished for [`Runner::resume`].
///
/// A runner and its clones send **one submit at a time**: a process killed at any moment
/// leaves at most one job whose submit may or may not have reached the hub. Submits take
/// well under a second against generations of a minute, so this costs little throughput.
#[derive(Debug, Clone)]
pub struct Runner {
    journal: Journal,
    client: Client,
    owner: Owner,
    poll: PollPolicy,
    /// Held from `submitting` until the answer is recorded.
    submitting: Arc<tokio::sync::Mutex<()>>,
}

impl Runner {
    /// A runner of this process, with the default poll policy.
    pub fn new(journal: Journal, client: Client) -> Runner {
        Runner {
            journal,
            client,
            owner: Owner::this_process(),
            poll: PollPolicy::default(),
            submitting: Arc::default(),
        }
    }

    /// Polls tasks with `policy`.
    pub fn poll_policy(mut self, policy: PollPolicy) -> Runner {
        self.poll = policy;
        self
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The process this runner works as.
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Records `new` as a pending job held by this runner, without sending anything.
    pub async fn record(&self, new: &NewJob) -> Result<Job> {
        self.journal.record(new, &self.owner).await
    }

    /// Records `new`, then drives it to a final state; `on_step` sees each step.
    pub async fn run(&self, new: NewJob, on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let job = self.record(&new).await?;
        self.drive(job, on_step).await
    }

    /// Records `new` and sends its submit without waiting: the job is left
    /// [`JobState::Submitted`] (or failed, or of unknown outcome), released for
    /// [`Runner::resume`] by any process.
    pub async fn submit(&self, new: NewJob, mut on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let job = self.record(&new).await?;
        let id = job.id.clone();
        on_step(Step::Submitting(&job));
        let sent = self.send_submit(job).await;
        self.journal.release(&id, &self.owner).await?;
        let (job, _task) = sent?;
        let job = Job { owner: None, ..job };
        if job.state == JobState::Submitted {
            on_step(Step::Submitted(&job));
        }
        Ok(job)
    }

    /// Takes job `id` over (when no live process holds it) and drives it on from its state:
    /// a pending job is submitted, a submitted one waited for, a completed one downloaded.
    /// A job whose process died while sending its submit becomes
    /// [`JobState::OutcomeUnknown`] and is not sent again. Fails with [`Error::Busy`] when
    /// another process holds it.
    pub async fn resume(&self, id: &str, on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let job = self.journal.job(id).await?;
        if !job.state.is_unfinished() {
            return Ok(job);
        }
        if !self.journal.claim(&job.id, &self.owner).await? {
            let job = self.journal.job(&job.id).await?;
            return Err(Error::Busy {
                owner: job.owner.unwrap_or_default(),
                id: job.id,
            });
        }
        let job = self.journal.job(&job.id).await?;
        self.drive(job, on_step).await
    }

    /// Gives up this runner's hold on a job (after an interruption), so that another
    /// process may resume it at once.
    pub async fn release(&self, id: &str) -> Result<()> {
        self.journal.release(id, &self.owner).await
    }

    /// Drives a job this runner holds (one it recorded, or claimed) to a final state, then
    /// lets it go.
    pub async fn drive(&self, job: Job, mut on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let _heartbeat = Heartbeat::start(self.journal.clone(), job.id.clone(), self.owner.clone());
        let id = job.id.clone();
        let outcome = self.advance(job, &mut on_step).await;
        match self.journal.release(&id, &self.owner).await {
            Ok(()) => outcome.map(|job| Job { owner: None, ..job }),
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "could not release the job");
                outcome
            }
        }
    }

    async fn advance(&self, mut job: Job, on_step: &mut impl FnMut(Step<'_>)) -> Result<Job> {
        let mut task: Option<Task<Dynamic>> = None;
        let mut output: Option<Output> = None;
        loop {
            job = match job.state {
                JobState::Pending => {
                    on_step(Step::Submitting(&job));
                    let (next, submitted) = self.send_submit(job).await?;
                    if let Some(submitted) = submitted {
                        on_step(Step::Submitted(&next));
                        task = Some(submitted);
                    }
                    next
                }
                JobState::Submitting => {
                    let reason =
                        "the process sending its submit stopped before the answer was recorded";
                    let mut change = Change::to(JobState::OutcomeUnknown);
                    change.error = Some(reason.to_owned());
                    self.journal
                        .transition(&job.id, &[JobState::Submitting], change)
                        .await?
                }
                JobState::Submitted => {
                    let task = match task.take() {
                        Some(task) => task,
                        None => self.task_of(&job),
                    };
                    let (next, finished) = self.wait(job, &task, on_step).await?;
                    output = finished;
                    next
                }
                JobState::Completed => {
                    let ready = match output.take() {
                        Some(output) => output,
                        None => self.stored_output(&job)?,
                    };
                    self.download(job, ready, on_step).await?
                }
                _ => return Ok(job),
            };
        }
    }

    /// Sends the submit of a pending job: `submitting` is recorded first.
    async fn send_submit(&self, job: Job) -> Result<(Job, Option<Task<Dynamic>>)> {
        let _one_at_a_time = self.submitting.lock().await;
        let mut sending = Change::to(JobState::Submitting);
        sending.submitted = true;
        let job = self
            .journal
            .transition(&job.id, &[JobState::Pending], sending)
            .await?;
        let sent = self
            .client
            .submit_input_to(&job.endpoint, &job.model, job.input.clone())
            .await;
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
        let job = self
            .journal
            .transition(&job.id, &[JobState::Submitting], change)
            .await?;
        Ok((job, task))
    }

    /// Polls until the task is finished and records how it ended.
    async fn wait(
        &self,
        job: Job,
        task: &Task<Dynamic>,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<(Job, Option<Output>)> {
        let fresh = task.receipt().is_some();
        let mut updates = pin!(task.updates_with(self.poll));
        let last = loop {
            match updates.next().await {
                Some(Ok(update)) => {
                    on_step(Step::Polled(&update));
                    if update.is_ready() {
                        break update;
                    }
                }
                Some(Err(error)) => {
                    self.journal.note(&job.id, &error.to_string()).await?;
                    return Err(error.into());
                }
                None => {
                    return Err(Error::WrongState {
                        id: job.id,
                        state: job.state.to_string(),
                        reason: "the task's updates ended before it was ready".into(),
                    });
                }
            }
        };
        let took = last.state.elapsed.or(fresh.then_some(last.waited));
        let raw = last.state.raw.clone();
        let (mut change, output) = match last.state.into_output(&self.client, task.id()) {
            Ok(output) => (Change::to(JobState::Completed), Some(output)),
            Err(error) => {
                let state = match error {
                    videohub::Error::TaskTimedOut { .. } => JobState::Timeout,
                    videohub::Error::TaskCancelled { .. } => JobState::Cancelled,
                    _ => JobState::Failed,
                };
                let mut change = Change::to(state);
                change.error = Some(error.to_string());
                (change, None)
            }
        };
        change.result = Some(raw);
        change.task_elapsed = took;
        let job = self
            .journal
            .transition(&job.id, &[JobState::Submitted], change)
            .await?;
        // The poller has taught the client this duration; the journal keeps it for the
        // next process.
        if let (JobState::Completed, Some(took)) = (job.state, took) {
            self.journal
                .record_duration(&job.hub, &job.model, took)
                .await?;
        }
        Ok((job, output))
    }

    /// A handle on the job's task, known to generate what the job's endpoint does.
    fn task_of(&self, job: &Job) -> Task<Dynamic> {
        let task = self
            .client
            .task_by_id(job.task_id.clone().unwrap_or_default());
        match job.capability() {
            Some(capability) => task.with_capability(capability),
            None => task,
        }
    }

    /// The output of a completed job from the task answer it recorded.
    fn stored_output(&self, job: &Job) -> Result<Output> {
        let task_id = job.task_id.clone().unwrap_or_default();
        let mut state = job
            .result
            .clone()
            .and_then(TaskState::from_json)
            .ok_or_else(|| Error::WrongState {
                id: job.id.clone(),
                state: job.state.to_string(),
                reason: "its recorded task answer is missing".into(),
            })?;
        state.capability = job.capability().or(state.capability);
        Ok(state.into_output(&self.client, &task_id)?)
    }

    /// Saves the output and records the file, its size and checksum.
    async fn download(
        &self,
        job: Job,
        output: Output,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let path = job.output_file();
        on_step(Step::Downloading {
            job: &job,
            path: &path,
        });
        let saved = match output.save(&path).await {
            Err(videohub::Error::DownloadStatus {
                status: 403 | 404 | 410,
            }) => {
                // The link may have expired: ask the hub for the task's output again.
                let task = self.task_of(&job);
                let fresh = task.status().await?;
                fresh
                    .into_output(&self.client, task.id())?
                    .save(&path)
                    .await
            }
            other => other,
        };
        let size = match saved {
            Ok(size) => size,
            Err(error) => {
                self.journal
                    .note(&job.id, &format!("download failed: {error}"))
                    .await?;
                return Err(error.into());
            }
        };
        let sha256 = sha256_of(&path).await?;
        let mut change = Change::to(JobState::Downloaded);
        change.file_path = Some(path.clone());
        change.file_size = Some(size);
        change.sha256 = Some(sha256);
        change.detail = Some(format!("{} ({size} bytes)", path.display()));
        self.journal
            .transition(&job.id, &[JobState::Completed], change)
            .await
    }
}

async fn sha256_of(path: &Path) -> Result<String> {
    let read_back = |source| Error::ReadBack {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read_back)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let n = file.read(&mut buffer).await.map_err(read_back)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Renews a job's lease while it runs; stops when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(journal: Journal, id: String, owner: Owner) -> Heartbeat {
        Heartbeat(tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE / 3).await;
                if let Err(e) = journal.renew(&id, &owner).await {
                    tracing::warn!(job = %id, error = %e, "could not renew the job's lease");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}
