//! Driving a journaled job through the hub: submit, wait, download, each step recorded
//! before the next begins.

use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tracing::Instrument;
use videohub::{Client, Dynamic, Output, PollPolicy, Task, TaskState, TaskUpdate};

use crate::error::{Error, Result};
use crate::hub_limit::{HubLimit, Slot};
use crate::job::{Job, NewJob};
use crate::notice::{Notice, Notices};
use crate::owner::Owner;
use crate::state::JobState;
use crate::stop::Stop;
use crate::store::{Change, Journal};
use crate::trace::{self, JobTrace};

mod lease;
mod outage;
mod submit;

pub(crate) use lease::Downloading;
use lease::Held;
pub(crate) use outage::Backoff;
use submit::Submit;

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
    /// The hub refused the submit for now (429, or 503 with `Retry-After`): it did not take
    /// it, so the job stays pending and is sent again once the hub's pause is over.
    WaitingOnHub {
        /// The job, pending.
        job: &'a Job,
        /// How long submits pause: what the hub asked, or a backoff.
        wait: Duration,
    },
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
/// A job is driven under a lease on the database's clock, renewed while it runs; every
/// change of its state is written only while this runner holds it. A renewal that finds
/// another process holding the job (this one could not renew in time) stops the drive at
/// once ([`Error::LeaseLost`]): nothing more is written or downloaded for it here. A
/// journal out of reach is waited out with backoff for as long as the poll policy's
/// deadline (30 min by default), the hub's tasks going on meanwhile; its going and coming
/// back are told to [`Runner::on_notice`]. A [`Stop`] ends the work from outside.
///
/// A runner and its clones send **one submit at a time**: a process killed at any moment
/// leaves at most one job whose submit may or may not have reached the hub. Submits take
/// well under a second against generations of a minute, so this costs little throughput.
///
/// A submit the hub refuses for now (429, or 503 with `Retry-After`, once the client's own
/// retries are spent) was not taken: the job stays pending and is sent again after the
/// pause the hub asked for. The runner learns the hub's limit from its refusals: each one
/// halves the generations it keeps in flight, each accepted submit raises that again by one
/// over itself (see [`Runner::waiting_on_hub`]). Downloads run at most
/// [`DOWNLOADS_AT_ONCE`] at a time (their buffers exist only while they run), apart from
/// the generations in flight.
#[derive(Debug, Clone)]
pub struct Runner {
    journal: Journal,
    client: Client,
    owner: Owner,
    poll: PollPolicy,
    /// Held from `submitting` until the answer is recorded.
    submitting: Arc<tokio::sync::Mutex<()>>,
    /// The hub's limit, learned from its refusals.
    hub_limit: Arc<HubLimit>,
    /// Turns to download.
    pub(crate) downloads: Arc<tokio::sync::Semaphore>,
    /// Asked from outside to stop.
    pub(crate) stop: Stop,
    /// Where notices go.
    pub(crate) notices: Notices,
    /// When the journal went out of reach, while it is.
    outage: Arc<outage::Outage>,
    /// The folders of objects proven writable.
    #[cfg(feature = "object-store")]
    pub(crate) proven: Arc<crate::objects::Proven>,
    /// Puts each job's span in the job's trace, when this process exports traces.
    trace: Option<Arc<dyn JobTrace>>,
}

/// How many outputs a runner downloads at once by default.
pub const DOWNLOADS_AT_ONCE: usize = 8;

impl Runner {
    /// A runner of this process, with the default poll policy.
    pub fn new(journal: Journal, client: Client) -> Runner {
        Runner {
            journal,
            client,
            owner: Owner::this_process(),
            poll: PollPolicy::default(),
            submitting: Arc::default(),
            hub_limit: Arc::default(),
            downloads: Arc::new(tokio::sync::Semaphore::new(DOWNLOADS_AT_ONCE)),
            stop: Stop::new(),
            notices: Notices::default(),
            outage: Arc::default(),
            #[cfg(feature = "object-store")]
            proven: Arc::default(),
            trace: None,
        }
    }

    /// Stops when `stop` says so (see [`Stop`]): a signal handler or a server shutting down
    /// keeps a clone of it.
    pub fn with_stop(mut self, stop: Stop) -> Runner {
        self.stop = stop;
        self
    }

    /// The stop this runner heeds.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }

    /// Hands every [`Notice`] to `hook` (from any task; they are logged too): the journal
    /// out of reach and back, a disk that cannot take files, a job taken over elsewhere.
    pub fn on_notice(mut self, hook: impl Fn(&Notice) + Send + Sync + 'static) -> Runner {
        self.notices = Notices::to(hook);
        self
    }

    /// Opens each job's span in the job's own trace through `trace`, and keeps the trace
    /// context of a job on its row (see [`JobTrace`]).
    pub fn trace_jobs(mut self, trace: Arc<dyn JobTrace>) -> Runner {
        self.trace = Some(trace);
        self
    }

    /// Downloads at most `n` outputs at once (at least 1; [`DOWNLOADS_AT_ONCE`] by
    /// default).
    pub fn downloads_at_once(mut self, n: usize) -> Runner {
        self.downloads = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    /// How many jobs wait on the hub's limit: refused for now, to be sent again.
    pub fn waiting_on_hub(&self) -> usize {
        self.hub_limit.waiting()
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

    /// Records `new` as a pending job held by this runner, without sending anything. Its
    /// folder is tried first (a part file is created there and removed): one that cannot take the file fails
    /// with [`Error::Destination`] and nothing is recorded.
    pub async fn record(&self, new: &NewJob) -> Result<Job> {
        self.try_destination(&new.output_path).await?;
        self.journal.record(new, &self.owner).await
    }

    /// Records `new` like [`Runner::record`] under `key` (see
    /// [`request_key`](crate::request_key)), unless a job was recorded under that key
    /// before, by this process or another: that job is returned unchanged, and `false` says
    /// it is not new.
    pub async fn record_keyed(&self, new: &NewJob, key: &str) -> Result<(Job, bool)> {
        self.try_destination(&new.output_path).await?;
        self.journal.record_keyed(new, key, &self.owner).await
    }

    /// Records `new`, then drives it to a final state; `on_step` sees each step.
    pub async fn run(&self, new: NewJob, on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let job = self.record(&new).await?;
        self.drive(job, on_step).await
    }

    /// Records `new` and sends its submit without waiting: the job is left
    /// [`JobState::Submitted`] (or failed, or of unknown outcome), released for
    /// [`Runner::resume`] by any process.
    pub async fn submit(&self, new: NewJob, on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let job = self.record(&new).await?;
        let span = self.job_span(&job, None).await?;
        let outcome = self
            .submit_recorded(job, on_step)
            .instrument(span.clone())
            .await;
        trace::ended(&span, &outcome, None);
        outcome
    }

    /// Sends the submit of `job`, just recorded, then lets it go.
    async fn submit_recorded(
        &self,
        mut job: Job,
        mut on_step: impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let id = job.id.clone();
        let mut waited = false;
        let sent = loop {
            match self.submit_in_turn(job, &mut waited, &mut on_step).await {
                Ok(Submit::Refused(pending)) => job = pending,
                Ok(Submit::Answered(answered, ..)) => break Ok(answered),
                Err(error) => break Err(error),
            }
        };
        self.journal.release(&id, &self.owner).await?;
        let job = Job {
            owner: None,
            ..sent?
        };
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
    /// lets it go. Ends early with [`Error::LeaseLost`] when another process took the job
    /// over, and with [`Error::LetGo`] when the [`Stop`] reached it.
    pub async fn drive(&self, job: Job, on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        self.drive_in(job, None, on_step).await
    }

    /// [`Runner::drive`] for a job of `batch`, when it is one, in the job's span.
    pub(crate) async fn drive_in(
        &self,
        job: Job,
        batch: Option<&str>,
        on_step: impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let span = self.job_span(&job, batch).await?;
        let task = job.task_id.clone();
        let outcome = self.drive_held(job, on_step).instrument(span.clone()).await;
        trace::ended(&span, &outcome, task.as_deref());
        outcome
    }

    /// The span of `job`'s work here, in the job's trace when this runner traces jobs: the
    /// trace context of a job that had none is kept on its row before anything is sent.
    async fn job_span(&self, job: &Job, batch: Option<&str>) -> Result<tracing::Span> {
        let Some(trace) = &self.trace else {
            return Ok(trace::job_span(job, batch, false));
        };
        let span = trace::job_span(job, batch, true);
        let traceparent = trace.enter(&span, job.traceparent.as_deref());
        if let (None, Some(traceparent)) = (&job.traceparent, traceparent) {
            self.journal.keep_traceparent(&job.id, &traceparent).await?;
        }
        Ok(span)
    }

    /// Drives a job this runner holds to a final state, then lets it go.
    async fn drive_held(&self, job: Job, mut on_step: impl FnMut(Step<'_>)) -> Result<Job> {
        let held = Held::start(self, &job.id);
        let (id, state) = (job.id.clone(), job.state);
        let downloading = Downloading::default();
        let outcome = tokio::select! {
            biased;
            () = held.lost() => Err(Error::LeaseLost { id: id.clone(), owner: held.holder() }),
            () = self.stop_reached(&downloading) => Err(Error::LetGo { id: id.clone(), state }),
            outcome = self.advance(job, &downloading, &mut on_step) => outcome,
        };
        // A submit whose drive was cut off above goes on until its answer is recorded:
        // the job is let go only after that, at the state it then stands at.
        drop(self.submitting.lock().await);
        drop(held);
        let outcome = match outcome {
            Err(Error::LetGo { id, state }) => {
                let now = self.persist(|| self.journal.job(&id)).await;
                Err(Error::LetGo {
                    state: now.map_or(state, |job| job.state),
                    id,
                })
            }
            other => other,
        };
        if let Err(Error::LeaseLost { id, owner }) = &outcome {
            self.notices.tell(Notice::TakenOver {
                job: id.clone(),
                owner: owner.clone(),
            });
            return outcome;
        }
        match self
            .persist(|| self.journal.release(&id, &self.owner))
            .await
        {
            Ok(()) => outcome.map(|job| Job { owner: None, ..job }),
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "could not release the job");
                outcome
            }
        }
    }

    async fn advance(
        &self,
        mut job: Job,
        downloading: &Downloading,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let mut task: Option<Task<Dynamic>> = None;
        let mut output: Option<Output> = None;
        // The job's place among the generations in flight, from its submit to its end.
        let mut slot: Option<Slot> = None;
        let mut waited = false;
        loop {
            job = match job.state {
                JobState::Pending => match self.submit_in_turn(job, &mut waited, on_step).await? {
                    Submit::Refused(pending) => pending,
                    Submit::Answered(next, submitted, place) => {
                        waited = false;
                        if let Some(submitted) = submitted {
                            on_step(Step::Submitted(&next));
                            task = Some(*submitted);
                            slot = Some(place);
                        }
                        next
                    }
                },
                JobState::Submitting => self.settle_submitting(&job).await?,
                JobState::Submitted => {
                    let task = match task.take() {
                        Some(task) => task,
                        None => self.task_of(&job),
                    };
                    let (next, finished) = self.wait(job, &task, on_step).await?;
                    output = finished;
                    slot = None;
                    next
                }
                JobState::Completed => {
                    let ready = match output.take() {
                        Some(output) => output,
                        None => self.stored_output(&job)?,
                    };
                    self.download(job, ready, downloading, on_step).await?
                }
                _ => {
                    drop(slot);
                    return Ok(job);
                }
            };
        }
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
                    let text = error.to_string();
                    self.persist(|| self.journal.note(&job.id, &self.owner, &text))
                        .await?;
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
            .transition(&job.id, &[JobState::Submitted], change)
            .await?;
        // The poller has taught the client this duration; the journal keeps it for the
        // next process.
        if let (JobState::Completed, Some(took)) = (job.state, took) {
            self.persist(|| self.journal.record_duration(&job.hub, &job.model, took))
                .await?;
        }
        Ok((job, output))
    }

    /// A handle on the job's task, known to generate what the job's endpoint does.
    pub(crate) fn task_of(&self, job: &Job) -> Task<Dynamic> {
        let task = self
            .client
            .task_by_id(job.task_id.clone().unwrap_or_default());
        match job.capability() {
            Some(capability) => task.with_capability(capability),
            None => task,
        }
    }

    /// The output of a completed job from the task answer it recorded.
    pub(crate) fn stored_output(&self, job: &Job) -> Result<Output> {
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
}
