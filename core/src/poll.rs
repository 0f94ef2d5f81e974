//! Waiting for a task: the poll policy, the poller and its stream of updates.

use std::time::Duration;

use futures::Stream;
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::output::Output;
use crate::task::{Task, TaskState, TaskStatus};

/// How often a task is polled, and for how long.
///
/// Video tasks take tens of seconds to several minutes, so the defaults are:
///
/// | setting | default | meaning |
/// | --- | --- | --- |
/// | [`initial_delay`](PollPolicy::initial_delay) | 5 s | first poll after a submit (a task resumed by id is polled at once) |
/// | [`backoff`](PollPolicy::backoff) | 1.5 | each interval is the previous one times this |
/// | [`max_interval`](PollPolicy::max_interval) | 15 s | the interval never grows past this |
/// | [`deadline`](PollPolicy::deadline) | 30 min | give up with [`Error::DeadlineExceeded`] (the task goes on) |
///
/// That is polls at about 5, 12.5, 23.75, 38.75, 53.75 s… after the submit: a 1-minute task
/// is seen finished within 15 s, with about 6 requests.
///
/// ```
/// use std::time::Duration;
/// use videohub_core::PollPolicy;
///
/// let patient = PollPolicy::default().deadline(Duration::from_secs(3600));
/// assert_eq!(patient.deadline_after(), Some(Duration::from_secs(3600)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    initial_delay: Duration,
    backoff: f64,
    max_interval: Duration,
    deadline: Option<Duration>,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial_delay: Duration::from_secs(5),
            backoff: 1.5,
            max_interval: Duration::from_secs(15),
            deadline: Some(Duration::from_secs(30 * 60)),
        }
    }
}

impl PollPolicy {
    /// Sets the wait before the first poll of a submitted task, and the first interval.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the factor each interval grows by (values below 1 are taken as 1).
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Sets the longest interval between two polls.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Sets the overall deadline, counted from the start of the wait.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Waits without a deadline (cancel by dropping the future or stream).
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The overall deadline, if any.
    pub fn deadline_after(&self) -> Option<Duration> {
        self.deadline
    }

    fn grow(&self, interval: Duration) -> Duration {
        interval.mul_f64(self.backoff).min(self.max_interval)
    }
}

/// One poll seen while waiting for a task, for progress displays.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TaskUpdate {
    /// The hub's answer.
    pub state: TaskState,
    /// Whether the status differs from the previous poll (true on the first).
    pub status_changed: bool,
    /// Time since the wait began, on this machine.
    pub waited: Duration,
    /// How many polls were made, this one included.
    pub polls: u32,
}

impl TaskUpdate {
    /// The task's status.
    pub fn status(&self) -> &TaskStatus {
        &self.state.status
    }

    /// Whether the task is finished.
    pub fn is_ready(&self) -> bool {
        self.state.ready
    }

    /// How long the task has run, as the hub reports it, or else as waited here.
    pub fn elapsed(&self) -> Duration {
        self.state.elapsed.unwrap_or(self.waited)
    }
}

/// The least time a poll started before the deadline may take.
const MIN_POLL_BUDGET: Duration = Duration::from_secs(1);

struct Poller<M> {
    task: Task<M>,
    policy: PollPolicy,
    started: Instant,
    next_sleep: Duration,
    interval: Duration,
    last_status: Option<TaskStatus>,
    polls: u32,
    finished: bool,
}

impl<M> Poller<M> {
    fn new(task: Task<M>, policy: PollPolicy) -> Self {
        let next_sleep = if task.is_fresh() {
            policy.initial_delay
        } else {
            Duration::ZERO
        };
        let interval = if task.is_fresh() {
            policy.grow(policy.initial_delay)
        } else {
            policy.initial_delay
        };
        Poller {
            task,
            policy,
            started: Instant::now(),
            next_sleep,
            interval,
            last_status: None,
            polls: 0,
            finished: false,
        }
    }

    fn deadline_error(&self) -> Error {
        Error::DeadlineExceeded {
            task_id: self.task.id().to_owned(),
            waited: self.started.elapsed(),
            last_status: self
                .last_status
                .as_ref()
                .map_or_else(|| "not polled".to_owned(), ToString::to_string),
        }
    }

    /// Sleeps, polls once, and reports. Ends (sets `finished`) on ready or on error.
    async fn next_update(&mut self) -> Result<TaskUpdate> {
        let result = self.poll_once().await;
        if result.as_ref().map_or(true, TaskUpdate::is_ready) {
            self.finished = true;
        }
        result
    }

    async fn poll_once(&mut self) -> Result<TaskUpdate> {
        let deadline = self.policy.deadline.map(|d| self.started + d);
        let mut sleep = self.next_sleep;
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() && self.polls > 0 {
                return Err(self.deadline_error());
            }
            sleep = sleep.min(left);
        }
        tokio::time::sleep(sleep).await;
        let state = match deadline {
            Some(deadline) => {
                let budget = deadline
                    .saturating_duration_since(Instant::now())
                    .max(MIN_POLL_BUDGET);
                match tokio::time::timeout(budget, self.task.status()).await {
                    Ok(state) => state?,
                    Err(_) => return Err(self.deadline_error()),
                }
            }
            None => self.task.status().await?,
        };
        self.polls += 1;
        let status_changed = self.last_status.as_ref() != Some(&state.status);
        if status_changed {
            tracing::info!(status = %state.status, ready = state.ready, "task status");
        }
        self.last_status = Some(state.status.clone());
        self.next_sleep = self.interval;
        self.interval = self.policy.grow(self.interval);
        let update = TaskUpdate {
            state,
            status_changed,
            waited: self.started.elapsed(),
            polls: self.polls,
        };
        if !update.is_ready() && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.deadline_error());
        }
        Ok(update)
    }
}

impl<M: 'static> Task<M> {
    /// Polls until the task is finished, with the default [`PollPolicy`], and returns its
    /// output. Drop the future to stop waiting; the task goes on on the hub.
    pub async fn wait(&self) -> Result<Output> {
        self.wait_with(PollPolicy::default()).await
    }

    /// Polls until the task is finished, with `policy`, and returns its output or the
    /// hub's error ([`Error::TaskFailed`], [`Error::TaskTimedOut`], [`Error::TaskCancelled`]),
    /// or [`Error::DeadlineExceeded`].
    pub async fn wait_with(&self, policy: PollPolicy) -> Result<Output> {
        let span = tracing::info_span!("videohub.task", task_id = %self.id(), model = self.model().unwrap_or("?"));
        async move {
            let mut poller = Poller::new(self.clone(), policy);
            loop {
                let update = poller.next_update().await?;
                if update.is_ready() {
                    return update.state.into_output(&self.client, self.id());
                }
            }
        }
        .instrument(span)
        .await
    }

    /// A stream of every poll until the task is finished (the last item is ready), with the
    /// default [`PollPolicy`]. An error ends the stream. Drop it to stop polling.
    ///
    /// ```no_run
    /// # async fn run(task: videohub_core::Task) -> videohub_core::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let mut updates = std::pin::pin!(task.updates());
    /// while let Some(update) = updates.next().await {
    ///     let update = update?;
    ///     println!("{} after {:?}", update.status(), update.elapsed());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn updates(&self) -> impl Stream<Item = Result<TaskUpdate>> + Send + 'static {
        self.updates_with(PollPolicy::default())
    }

    /// [`Task::updates`] with `policy`.
    pub fn updates_with(
        &self,
        policy: PollPolicy,
    ) -> impl Stream<Item = Result<TaskUpdate>> + Send + 'static {
        let span = tracing::info_span!("videohub.task", task_id = %self.id(), model = self.model().unwrap_or("?"));
        let poller = Poller::new(self.clone(), policy);
        futures::stream::unfold(poller, move |mut poller| {
            let span = span.clone();
            async move {
                if poller.finished {
                    return None;
                }
                let update = poller.next_update().instrument(span).await;
                Some((update, poller))
            }
        })
    }
}
