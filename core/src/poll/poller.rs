//! The poller: polls one task on a [`PollPolicy`]'s schedule, as a future
//! ([`Task::wait`]) or a stream of [`TaskUpdate`]s ([`Task::updates`]).

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::time::Instant;
use tracing::Instrument;

use super::policy::PollPolicy;
use crate::error::{Error, Result};
use crate::learned::LearnedSchedule;
use crate::output::Output;
use crate::task::{Task, TaskState, TaskStatus};

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
    /// How many polls were made, this one included (failed ones too).
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
    /// The next interval of the schedule used without history.
    interval: Duration,
    /// The task's age at an instant: the submit for a fresh task, then the hub's
    /// `elapsed_ms` when it sends one.
    age_at: Option<(Instant, Duration)>,
    /// The model named by the hub's answers, for a task resumed without one.
    answer_model: Option<Box<str>>,
    /// The learned schedule, chosen when the wait starts (or when the model becomes known)
    /// and kept: durations recorded meanwhile are those of tasks that finished while this
    /// one ran, a sample biased towards its own age.
    schedule: Option<Arc<LearnedSchedule>>,
    last_status: Option<TaskStatus>,
    polls: u32,
    failed_polls: u32,
    finished: bool,
}

impl<M> Poller<M> {
    fn new(task: Task<M>, policy: PollPolicy) -> Self {
        let fresh = task.is_fresh();
        let started = task.hub.clock().now();
        let mut poller = Poller {
            task,
            policy,
            started,
            next_sleep: Duration::ZERO,
            interval: if fresh {
                policy.grow(policy.first_interval())
            } else {
                policy.first_interval()
            },
            age_at: fresh.then_some((started, Duration::ZERO)),
            answer_model: None,
            schedule: None,
            last_status: None,
            polls: 0,
            failed_polls: 0,
            finished: false,
        };
        poller.schedule = poller.learned_schedule();
        if let Some(schedule) = &poller.schedule {
            tracing::debug!(
                median_secs = schedule.median(),
                "polling on the schedule learned for the model"
            );
        }
        if fresh {
            poller.next_sleep = match poller.schedule.clone() {
                Some(schedule) => policy.learned_interval(&schedule, Duration::ZERO),
                None => policy.first_interval(),
            };
        }
        poller
    }

    /// The current instant on the client's clock.
    fn now(&self) -> Instant {
        self.task.hub.clock().now()
    }

    fn model(&self) -> Option<&str> {
        self.task.model().or(self.answer_model.as_deref())
    }

    /// The learned schedule of the task's model, when the policy learns and one is known.
    fn learned_schedule(&self) -> Option<Arc<LearnedSchedule>> {
        if !self.policy.get_learn() {
            return None;
        }
        self.task.hub.durations().schedule(self.model()?)
    }

    /// Sets the sleep before the next poll, after a poll that ended at `now`.
    fn plan(&mut self, now: Instant) {
        let unlearned = self.interval;
        self.interval = self.policy.grow(self.interval);
        self.next_sleep = match (self.age_at, self.schedule.as_deref()) {
            (Some((at, age)), Some(schedule)) => {
                let age = age + now.saturating_duration_since(at);
                self.policy.learned_interval(schedule, age)
            }
            _ => unlearned,
        };
    }

    /// Remembers what an answer says about the task's age, model and duration.
    fn learn_from(&mut self, state: &TaskState, now: Instant) {
        if let Some(elapsed) = state.elapsed {
            self.age_at = Some((now, elapsed));
        }
        if self.task.model().is_none() && self.answer_model.is_none() {
            self.answer_model = state
                .raw
                .get("model")
                .and_then(serde_json::Value::as_str)
                .filter(|m| !m.is_empty())
                .map(Into::into);
            if self.answer_model.is_some() {
                self.schedule = self.learned_schedule();
            }
        }
        if state.ready && state.status == TaskStatus::Completed {
            let took = state
                .elapsed
                .or_else(|| self.task.is_fresh().then(|| now - self.started));
            if let (Some(took), Some(model)) = (took, self.model()) {
                self.task.hub.durations().record(model, took);
            }
        }
    }

    fn deadline_error(&self) -> Error {
        Error::DeadlineExceeded {
            task_id: self.task.id().to_owned(),
            waited: self.now().saturating_duration_since(self.started),
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
        loop {
            let mut sleep = self.next_sleep;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(self.now());
                if left.is_zero() && self.polls > 0 {
                    return Err(self.deadline_error());
                }
                sleep = sleep.min(left);
            }
            self.task.hub.clock().sleep(sleep).await;
            let answer = match deadline {
                Some(deadline) => {
                    let budget = deadline
                        .saturating_duration_since(self.now())
                        .max(MIN_POLL_BUDGET);
                    match tokio::time::timeout(budget, self.task.status()).await {
                        Ok(answer) => answer,
                        Err(_) => return Err(self.deadline_error()),
                    }
                }
                None => self.task.status().await,
            };
            self.polls += 1;
            let now = self.now();
            let state = match answer {
                Ok(state) => state,
                Err(error)
                    if (error.is_transient() || matches!(error, Error::Decode { .. }))
                        && self.failed_polls < self.policy.max_failed_polls =>
                {
                    self.failed_polls += 1;
                    tracing::warn!(error = %error, failed_polls = self.failed_polls, "poll failed; polling on");
                    self.plan(now);
                    if deadline.is_some_and(|d| now >= d) {
                        return Err(self.deadline_error());
                    }
                    continue;
                }
                Err(error) => return Err(error),
            };
            self.failed_polls = 0;
            let status_changed = self.last_status.as_ref() != Some(&state.status);
            if status_changed {
                tracing::info!(status = %state.status, ready = state.ready, "task status");
            }
            self.last_status = Some(state.status.clone());
            self.learn_from(&state, now);
            self.plan(now);
            let update = TaskUpdate {
                state,
                status_changed,
                waited: self.now().saturating_duration_since(self.started),
                polls: self.polls,
            };
            if !update.is_ready() && deadline.is_some_and(|d| self.now() >= d) {
                return Err(self.deadline_error());
            }
            return Ok(update);
        }
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
                    return update.state.into_output_on(&self.hub, self.id());
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
