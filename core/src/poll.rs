//! Waiting for a task: the poll policy, the poller and its stream of updates.
//!
//! The default policy learns: every client keeps, per model, the durations of the last
//! tasks it saw complete ([`Client::typical_duration`]), fits a log-normal distribution to
//! them, and places the polls of the next task of that model where tasks of that model
//! usually finish. See [`PollPolicy`] for the schedule.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::Stream;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::task::{Task, TaskState, TaskStatus};

/// How often a task is polled, and for how long.
///
/// Video tasks take tens of seconds to several minutes, and polling is a trade: every
/// request costs the hub and the client, every second between the task finishing and the
/// next poll is a second the user waits for nothing. The default policy spends about
/// [`target_polls`](PollPolicy::target_polls) requests per task and puts them where the
/// model's tasks usually finish:
///
/// | setting | default | meaning |
/// | --- | --- | --- |
/// | [`learn`](PollPolicy::learn) | on | schedule polls from the durations of the model's recent tasks, once 3 are known (the schedule is chosen when the wait starts) |
/// | [`target_polls`](PollPolicy::target_polls) | 14 | the requests a learned schedule aims to spend per task, on average |
/// | [`min_interval`](PollPolicy::min_interval) | 1 s | the shortest interval of a learned schedule |
/// | [`initial_delay`](PollPolicy::initial_delay) | 5 s | without a learned schedule: first poll after a submit (a task resumed by id is polled at once) |
/// | [`backoff`](PollPolicy::backoff) | 1.5 | without a learned schedule: each interval is the previous one times this |
/// | [`max_interval`](PollPolicy::max_interval) | 15 s | the interval never grows past this (it wins over `min_interval`), except the first wait of a learned schedule |
/// | [`max_failed_polls`](PollPolicy::max_failed_polls) | 3 | polls in a row that may fail (after the client's retries) before the wait ends with the error |
/// | [`deadline`](PollPolicy::deadline) | 30 min | give up with [`Error::DeadlineExceeded`] (the task goes on) |
///
/// **Without history** (a new client, a new model, a task resumed by id whose answers carry
/// no `elapsed_ms`), polls come at 5, 12.5, 23.75, 38.75, 53.75 s… after the submit: a
/// 1-minute task is seen finished within 15 s, with about 6 requests.
///
/// **With history**, the client fits a log-normal distribution to the logarithms of the
/// last 32 durations of the model (its spread pulled towards σ = 0.5 while there are few),
/// and polls at the task ages where `G(age) = ∫ √hazard` crosses equal steps: the spacing
/// is proportional to `1/√hazard`, which for a given number of requests minimizes the mean
/// delay between the task finishing and the client seeing it. The step is chosen so that
/// the expected number of requests is `target_polls - 0.5`; intervals are kept between
/// `min_interval` and `max_interval`. For tasks with a median of 60 s (σ = 0.5) that is
/// polls at about 22, 28, 33, 37, 41, 44… s: in the sandbox study (`BENCHMARKS.md`), about
/// 13 requests per task, a mean delay of about 2 s and a 95th percentile of 3–5 s, against
/// 6.8 s and 13 s for the schedule without history. The schedule is independent of the time unit: tasks of
/// 60 ms are polled like tasks of 60 s, scaled, down to `min_interval`.
///
/// The other classic schedules are [`PollPolicy::fixed`] and [`PollPolicy::exponential`].
///
/// ```
/// use std::time::Duration;
/// use videohub_core::PollPolicy;
///
/// let patient = PollPolicy::default().deadline(Duration::from_secs(3600));
/// assert_eq!(patient.deadline_after(), Some(Duration::from_secs(3600)));
/// let every_two_seconds = PollPolicy::fixed(Duration::from_secs(2));
/// assert!(!every_two_seconds.learns());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    initial_delay: Duration,
    backoff: f64,
    max_interval: Duration,
    min_interval: Duration,
    learn: bool,
    target_polls: u32,
    max_failed_polls: u32,
    deadline: Option<Duration>,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial_delay: Duration::from_secs(5),
            backoff: 1.5,
            max_interval: Duration::from_secs(15),
            min_interval: Duration::from_secs(1),
            learn: true,
            target_polls: 14,
            max_failed_polls: 3,
            deadline: Some(Duration::from_secs(30 * 60)),
        }
    }
}

impl PollPolicy {
    /// A poll every `interval`, the first one `interval` after the submit; no learning.
    /// (fal's and Replicate's clients poll every 0.5 s.)
    pub fn fixed(interval: Duration) -> Self {
        PollPolicy {
            initial_delay: interval,
            backoff: 1.0,
            max_interval: interval,
            min_interval: interval,
            learn: false,
            ..PollPolicy::default()
        }
    }

    /// The first poll `initial` after the submit, each interval `factor` times the previous
    /// one, up to `max`; no learning. (Google's long-running operations: 1 s, ×2, 60 s.)
    pub fn exponential(initial: Duration, factor: f64, max: Duration) -> Self {
        PollPolicy {
            initial_delay: initial,
            max_interval: max,
            min_interval: initial.min(max),
            learn: false,
            ..PollPolicy::default()
        }
        .backoff(factor)
    }

    /// Sets the wait before the first poll of a submitted task, and the first interval,
    /// of the schedule used without history.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the factor each interval grows by without history (values below 1 are taken
    /// as 1).
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Sets the longest interval between two polls, learned or not.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Sets the shortest interval of a learned schedule (`max_interval` wins when smaller).
    pub fn min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval;
        self
    }

    /// Whether polls follow the learned durations of the model's tasks when the client
    /// knows at least 3 (on by default). Off, the schedule is always
    /// `initial_delay`, × `backoff`, up to `max_interval`.
    pub fn learn(mut self, learn: bool) -> Self {
        self.learn = learn;
        self
    }

    /// Sets how many requests a learned schedule aims to spend per task, on average (at
    /// least 2). More requests, shorter delays: at a 60 s median (σ 0.5) the best any
    /// schedule can do is a mean delay of about 2.6 s with 10 requests, 1.8 s with 14 and
    /// 1.5 s with 17; a learned schedule comes within 10–20 % of it.
    pub fn target_polls(mut self, polls: u32) -> Self {
        self.target_polls = polls.max(2);
        self
    }

    /// Sets how many polls in a row may fail, after the client's own retries, before the
    /// wait ends with the error (3 by default; 0 ends it at the first failure). Only
    /// transient errors ([`Error::is_transient`]) and undecodable answers are tolerated.
    pub fn max_failed_polls(mut self, polls: u32) -> Self {
        self.max_failed_polls = polls;
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

    /// Whether the policy follows learned durations.
    pub fn learns(&self) -> bool {
        self.learn
    }

    fn grow(&self, interval: Duration) -> Duration {
        interval.mul_f64(self.backoff).min(self.max_interval)
    }

    /// The interval to the next poll of a learned schedule, for a task of `age`. The wait
    /// before the first poll of a fresh task (`age` zero) is not capped by `max_interval`:
    /// it ends where about 1 % of the model's tasks have finished.
    fn learned_interval(&self, schedule: &LearnedSchedule, age: Duration) -> Duration {
        let now = age.as_secs_f64();
        let gap = schedule
            .next_age(now, self.target_polls)
            .and_then(|next| Duration::try_from_secs_f64(next - now).ok())
            .unwrap_or(self.max_interval);
        if age.is_zero() {
            gap.max(self.min_interval)
        } else {
            gap.max(self.min_interval).min(self.max_interval)
        }
    }
}

/// Durations kept per model.
const HISTORY_LEN: usize = 32;
/// Models the history holds at most (further models are not learned).
const HISTORY_MODELS: usize = 256;
/// Durations needed before a schedule is learned.
const MIN_SAMPLES: usize = 3;
/// The spread assumed before there are many durations, and its weight in durations.
const PRIOR_SIGMA: f64 = 0.5;
const PRIOR_WEIGHT: f64 = 2.0;
/// The grid of standard scores the schedule is tabulated on: -6 to 6 by 0.05.
const Z_MIN: f64 = -6.0;
const Z_STEP: f64 = 0.05;
const Z_POINTS: usize = 241;

/// The recent task durations of each model, shared by the clones of a client.
#[derive(Debug, Default)]
pub(crate) struct DurationHistory {
    models: Mutex<HashMap<String, ModelDurations>>,
}

#[derive(Debug, Default)]
struct ModelDurations {
    /// Natural logarithms of durations in seconds, oldest first.
    logs: VecDeque<f64>,
    schedule: Option<Arc<LearnedSchedule>>,
}

impl DurationHistory {
    /// Remembers that a task of `model` took `duration`.
    pub(crate) fn record(&self, model: &str, duration: Duration) {
        let secs = duration.as_secs_f64();
        if !(secs > 0.0 && secs.is_finite()) {
            return;
        }
        let mut models = self.models.lock().unwrap_or_else(|p| p.into_inner());
        if !models.contains_key(model) && models.len() >= HISTORY_MODELS {
            return;
        }
        let entry = models.entry(model.to_owned()).or_default();
        if entry.logs.len() == HISTORY_LEN {
            entry.logs.pop_front();
        }
        entry.logs.push_back(secs.ln());
        entry.schedule = LearnedSchedule::fit(entry.logs.iter().copied()).map(Arc::new);
    }

    /// The schedule learned for `model`, once enough durations are known.
    pub(crate) fn schedule(&self, model: &str) -> Option<Arc<LearnedSchedule>> {
        let models = self.models.lock().unwrap_or_else(|p| p.into_inner());
        models.get(model)?.schedule.clone()
    }

    /// The durations held, per model, oldest first.
    fn snapshot(&self) -> TaskDurations {
        let models = self.models.lock().unwrap_or_else(|p| p.into_inner());
        let models = models
            .iter()
            .map(|(model, durations)| {
                let secs = durations.logs.iter().map(|log| log.exp()).collect();
                (model.clone(), secs)
            })
            .collect();
        TaskDurations { models }
    }
}

/// Task durations per model: what learned poll schedules are fitted to.
///
/// A client learns durations from the tasks it sees complete and forgets them when it is
/// dropped. To start the next process with a learned schedule, save a snapshot
/// ([`Client::task_durations`]) in your own storage and load it into the new client
/// ([`Client::remember_task_durations`]). It serializes as a JSON object of seconds per
/// model, oldest first: `{"veo-3.1": [61.2, 58.9, 64.0]}`.
///
/// ```
/// use std::time::Duration;
/// use videohub_core::{Client, TaskDurations};
///
/// let mut saved = TaskDurations::default();
/// for secs in [58, 61, 64] {
///     saved.record("veo-3.1", Duration::from_secs(secs));
/// }
/// let json = serde_json::to_string(&saved).unwrap();
/// assert_eq!(json, r#"{"veo-3.1":[58.0,61.0,64.0]}"#);
///
/// let hub = Client::new("key").unwrap();
/// hub.remember_task_durations(&serde_json::from_str(&json).unwrap());
/// let median = hub.typical_duration("veo-3.1").unwrap();
/// assert_eq!(median.as_secs_f64().round(), 61.0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TaskDurations {
    models: std::collections::BTreeMap<String, Vec<f64>>,
}

impl TaskDurations {
    /// Adds a duration of `model`'s tasks, after the ones held.
    pub fn record(&mut self, model: &str, duration: Duration) {
        self.models
            .entry(model.to_owned())
            .or_default()
            .push(duration.as_secs_f64());
    }

    /// The models and their durations, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, impl Iterator<Item = Duration> + '_)> {
        self.models.iter().map(|(model, secs)| {
            let durations = secs
                .iter()
                .filter_map(|s| Duration::try_from_secs_f64(*s).ok());
            (model.as_str(), durations)
        })
    }

    /// Whether no duration is held.
    pub fn is_empty(&self) -> bool {
        self.models.values().all(Vec::is_empty)
    }
}

/// A log-normal fit of a model's durations, and `G(z) = ∫ √hazard dt` tabulated over the
/// standard score `z = (ln t - mu) / sigma`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LearnedSchedule {
    mu: f64,
    sigma: f64,
    g: Box<[f64]>,
    /// `E[G(T)]`: the expected value of `G` at the task's duration.
    expected: f64,
}

impl LearnedSchedule {
    /// Fits the logarithms of durations (in seconds); `None` with fewer than 3.
    pub(crate) fn fit(logs: impl Iterator<Item = f64> + Clone) -> Option<LearnedSchedule> {
        let n = logs.clone().count();
        if n < MIN_SAMPLES {
            return None;
        }
        let mu = logs.clone().sum::<f64>() / n as f64;
        let squares: f64 = logs.map(|x| (x - mu) * (x - mu)).sum();
        let variance =
            (squares + PRIOR_WEIGHT * PRIOR_SIGMA * PRIOR_SIGMA) / ((n - 1) as f64 + PRIOR_WEIGHT);
        let sigma = variance.sqrt().clamp(0.05, 2.0);
        Some(LearnedSchedule::new(mu, sigma))
    }

    /// The schedule of a log-normal distribution (`mu`, `sigma` of the log of seconds).
    pub(crate) fn new(mu: f64, sigma: f64) -> LearnedSchedule {
        let z_at = |k: usize| Z_MIN + Z_STEP * k as f64;
        let mut g = vec![0.0; Z_POINTS];
        let mut expected = 0.0;
        for k in 1..Z_POINTS {
            let z = z_at(k) - Z_STEP / 2.0;
            let t = (mu + sigma * z).exp();
            let survival = normal_survival(z).max(1e-300);
            // dG/dz = sqrt(hazard(t)) * dt/dz, with hazard = pdf_t / survival and
            // dt/dz = sigma * t, pdf_t = phi(z) / (sigma * t).
            let slope = (sigma * t * normal_pdf(z) / survival).sqrt();
            g[k] = g[k - 1] + slope * Z_STEP;
            expected += normal_pdf(z) * (g[k] + g[k - 1]) / 2.0 * Z_STEP;
        }
        LearnedSchedule {
            mu,
            sigma,
            g: g.into_boxed_slice(),
            expected,
        }
    }

    /// The median duration, in seconds.
    pub(crate) fn median(&self) -> f64 {
        self.mu.exp()
    }

    /// The age (seconds) of the next poll after a poll at `age`, for `target` polls per
    /// task; `None` past the table's end (beyond 6 standard deviations).
    pub(crate) fn next_age(&self, age: f64, target: u32) -> Option<f64> {
        let step = self.expected / f64::from(target.max(2) - 1);
        if !(step > 0.0 && step.is_finite()) {
            return None;
        }
        // A poll up to a quarter step early (clocks, an `elapsed_ms` cut to the millisecond)
        // counts as the poll of its level: the next one is a whole step later, not at once.
        let level = (self.g_at(age) / step + 0.25).floor() + 1.0;
        self.age_at(level * step)
    }

    fn g_at(&self, age: f64) -> f64 {
        if age <= 0.0 {
            return 0.0;
        }
        let z = (age.ln() - self.mu) / self.sigma;
        let position = (z - Z_MIN) / Z_STEP;
        if position <= 0.0 {
            return 0.0;
        }
        let last = Z_POINTS - 1;
        if position >= last as f64 {
            return self.g[last];
        }
        let k = position.floor() as usize;
        let frac = position - k as f64;
        self.g[k] + (self.g[k + 1] - self.g[k]) * frac
    }

    fn age_at(&self, value: f64) -> Option<f64> {
        let k = self.g.partition_point(|g| *g < value);
        if k == 0 || k >= Z_POINTS {
            return None;
        }
        let (low, high) = (self.g[k - 1], self.g[k]);
        let frac = if high > low {
            (value - low) / (high - low)
        } else {
            0.0
        };
        let z = Z_MIN + Z_STEP * ((k - 1) as f64 + frac);
        Some((self.mu + self.sigma * z).exp())
    }
}

fn normal_pdf(z: f64) -> f64 {
    (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `P(Z > z)` for a standard normal `Z`.
fn normal_survival(z: f64) -> f64 {
    erfc(z / std::f64::consts::SQRT_2) / 2.0
}

/// The complementary error function, with a relative error below 1.2e-7 (Numerical
/// Recipes' `erfcc`).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

impl Client {
    /// A snapshot of the task durations this client learned, per model (the last 32 of
    /// each), to save and load into a later client with
    /// [`Client::remember_task_durations`].
    pub fn task_durations(&self) -> TaskDurations {
        self.inner.durations.snapshot()
    }

    /// Adds saved durations to what this client learned, as if it had seen those tasks
    /// complete, in order: the next wait for a task of such a model uses a learned schedule
    /// once 3 durations of it are known. Durations that are not positive and finite are
    /// skipped.
    pub fn remember_task_durations(&self, durations: &TaskDurations) {
        for (model, durations) in durations.iter() {
            for duration in durations {
                self.inner.durations.record(model, duration);
            }
        }
    }

    /// The median duration of `model`'s tasks as this client learned it from the tasks it
    /// saw complete (at least 3; the last 32 count), or `None`.
    pub fn typical_duration(&self, model: &str) -> Option<Duration> {
        let schedule = self.inner.durations.schedule(model)?;
        Duration::try_from_secs_f64(schedule.median()).ok()
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
        let started = Instant::now();
        let mut poller = Poller {
            task,
            policy,
            started,
            next_sleep: Duration::ZERO,
            interval: if fresh {
                policy.grow(policy.initial_delay)
            } else {
                policy.initial_delay
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
                None => policy.initial_delay,
            };
        }
        poller
    }

    fn model(&self) -> Option<&str> {
        self.task.model().or(self.answer_model.as_deref())
    }

    /// The learned schedule of the task's model, when the policy learns and one is known.
    fn learned_schedule(&self) -> Option<Arc<LearnedSchedule>> {
        if !self.policy.learn {
            return None;
        }
        self.task.client.inner.durations.schedule(self.model()?)
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
                self.task.client.inner.durations.record(model, took);
            }
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
        loop {
            let mut sleep = self.next_sleep;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() && self.polls > 0 {
                    return Err(self.deadline_error());
                }
                sleep = sleep.min(left);
            }
            tokio::time::sleep(sleep).await;
            let answer = match deadline {
                Some(deadline) => {
                    let budget = deadline
                        .saturating_duration_since(Instant::now())
                        .max(MIN_POLL_BUDGET);
                    match tokio::time::timeout(budget, self.task.status()).await {
                        Ok(answer) => answer,
                        Err(_) => return Err(self.deadline_error()),
                    }
                }
                None => self.task.status().await,
            };
            self.polls += 1;
            let now = Instant::now();
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
                waited: self.started.elapsed(),
                polls: self.polls,
            };
            if !update.is_ready() && deadline.is_some_and(|d| Instant::now() >= d) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The poll ages of a learned schedule from submit until `until` (seconds).
    fn ages(policy: &PollPolicy, schedule: &LearnedSchedule, until: f64) -> Vec<f64> {
        let mut ages = vec![];
        let mut age = Duration::ZERO;
        while age.as_secs_f64() < until {
            age += policy.learned_interval(schedule, age);
            ages.push(age.as_secs_f64());
        }
        ages
    }

    fn lognormal(median: f64) -> LearnedSchedule {
        LearnedSchedule::new(median.ln(), 0.5)
    }

    #[test]
    fn defaults_and_constructors() {
        let default = PollPolicy::default();
        assert!(default.learns());
        assert_eq!(default.target_polls, 14);
        assert_eq!(default.deadline_after(), Some(Duration::from_secs(1800)));
        let fixed = PollPolicy::fixed(Duration::from_millis(500));
        assert!(!fixed.learns());
        assert_eq!(
            fixed.grow(Duration::from_millis(500)),
            Duration::from_millis(500)
        );
        let exp = PollPolicy::exponential(Duration::from_secs(1), 2.0, Duration::from_secs(60));
        assert_eq!(exp.grow(Duration::from_secs(16)), Duration::from_secs(32));
        assert_eq!(exp.grow(Duration::from_secs(40)), Duration::from_secs(60));
        assert_eq!(PollPolicy::default().target_polls(0).target_polls, 2);
    }

    #[test]
    fn no_schedule_before_three_durations() {
        assert!(LearnedSchedule::fit([].into_iter()).is_none());
        assert!(LearnedSchedule::fit([4.0, 4.1].into_iter()).is_none());
        let fit = LearnedSchedule::fit([60f64.ln(); 3].into_iter()).expect("three");
        assert!((fit.median() - 60.0).abs() < 1e-9);
        // Identical durations still leave some spread (the prior), never a zero sigma.
        assert!(fit.sigma > 0.2, "{}", fit.sigma);

        let history = DurationHistory::default();
        for _ in 0..2 {
            history.record("m", Duration::from_secs(60));
        }
        assert!(history.schedule("m").is_none());
        history.record("m", Duration::ZERO); // ignored
        assert!(history.schedule("m").is_none());
        history.record("m", Duration::from_secs(60));
        assert!(history.schedule("m").is_some());
        assert!(history.schedule("other").is_none());
    }

    #[test]
    fn history_is_bounded() {
        let history = DurationHistory::default();
        for i in 0..100 {
            history.record("m", Duration::from_secs(10 + i));
        }
        let models = history.models.lock().expect("lock");
        assert_eq!(models["m"].logs.len(), HISTORY_LEN);
        // The oldest durations went first.
        assert!((models["m"].logs[0] - 78f64.ln()).abs() < 1e-9);
        drop(models);
        for i in 0..HISTORY_MODELS + 10 {
            history.record(&format!("model-{i}"), Duration::from_secs(1));
        }
        assert_eq!(history.models.lock().expect("lock").len(), HISTORY_MODELS);
    }

    #[test]
    fn learned_schedule_is_dense_where_tasks_finish() {
        let policy = PollPolicy::default();
        let schedule = lognormal(60.0);
        let ages = ages(&policy, &schedule, 300.0);
        // Nothing in the first fifth of the median, where almost no task finishes.
        assert!(ages[0] > 15.0 && ages[0] < 30.0, "{ages:?}");
        let gaps: Vec<f64> = ages.windows(2).map(|w| w[1] - w[0]).collect();
        // Densest around the median, sparser in the early part and growing in the tail.
        let gap_at = |t: f64| gaps[ages.iter().position(|a| *a >= t).expect("reached")];
        assert!(gap_at(60.0) < gap_at(25.0), "{ages:?}");
        assert!(gap_at(200.0) > gap_at(60.0), "{ages:?}");
        assert!(
            gaps.iter().all(|g| (1.0 - 1e-9..=15.0 + 1e-9).contains(g)),
            "{gaps:?}"
        );
        // About 14 polls for a task of typical length: ≤ 15 for one at the median plus a bit.
        let polls_until = |t: f64| ages.iter().take_while(|a| **a < t).count() + 1;
        assert!((8..=15).contains(&polls_until(66.0)), "{ages:?}");
    }

    #[test]
    fn expected_requests_follow_the_target() {
        // Over the fitted distribution, the expected number of polls is about target - 0.5.
        let schedule = lognormal(60.0);
        for target in [6, 10, 14, 20] {
            let policy = PollPolicy::default()
                .target_polls(target)
                .min_interval(Duration::ZERO);
            let ages = ages(&policy, &schedule, 60.0 * 40.0);
            let mut expected = 0.0;
            let n = 2000;
            for i in 0..n {
                // Durations at the quantiles (i + 0.5) / n of the distribution.
                let z = inverse_normal((i as f64 + 0.5) / n as f64);
                let t = (60f64.ln() + 0.5 * z).exp();
                expected += (ages.iter().take_while(|a| **a < t).count() + 1) as f64;
            }
            let mean = expected / n as f64;
            let wanted = f64::from(target) - 0.5;
            assert!((mean - wanted).abs() < 0.6, "target {target}: {mean}");
        }
    }

    /// A standard normal quantile by bisection of the survival function (tests only).
    fn inverse_normal(p: f64) -> f64 {
        let (mut low, mut high) = (-9.0, 9.0);
        for _ in 0..80 {
            let mid = (low + high) / 2.0;
            if 1.0 - normal_survival(mid) < p {
                low = mid;
            } else {
                high = mid;
            }
        }
        (low + high) / 2.0
    }

    #[test]
    fn the_schedule_scales_with_the_durations() {
        let policy = PollPolicy::default()
            .min_interval(Duration::ZERO)
            .max_interval(Duration::MAX);
        let seconds = ages(&policy, &lognormal(60.0), 200.0);
        let millis = ages(&policy, &lognormal(0.060), 0.200);
        assert_eq!(seconds.len(), millis.len());
        for (s, m) in seconds.iter().zip(&millis) {
            assert!((s / 1000.0 - m).abs() < 1e-6, "{s} vs {m}");
        }
    }

    #[test]
    fn max_interval_wins_and_the_tail_is_bounded() {
        let policy = PollPolicy::default()
            .min_interval(Duration::from_secs(1))
            .max_interval(Duration::from_millis(100));
        let schedule = lognormal(60.0);
        // The first wait is learned (where about 1 % of tasks are done), the others capped.
        let first = policy.learned_interval(&schedule, Duration::ZERO);
        assert!(first > Duration::from_secs(15), "{first:?}");
        assert_eq!(
            policy.learned_interval(&schedule, first),
            Duration::from_millis(100)
        );
        // Far past every learned duration the interval is max_interval.
        let default = PollPolicy::default();
        assert_eq!(
            default.learned_interval(&schedule, Duration::from_secs(100_000)),
            Duration::from_secs(15)
        );
    }

    #[test]
    fn a_slightly_early_poll_does_not_add_one() {
        let policy = PollPolicy::default();
        let schedule = lognormal(60.0);
        let first = policy.learned_interval(&schedule, Duration::ZERO);
        let on_time = policy.learned_interval(&schedule, first);
        let early = policy.learned_interval(&schedule, first - Duration::from_millis(50));
        assert!(early > on_time.mul_f64(0.9), "{early:?} vs {on_time:?}");
    }

    #[test]
    fn erfc_matches_known_values() {
        for (x, want) in [
            (0.0, 1.0),
            (0.5, 0.479_500_122),
            (1.0, 0.157_299_207),
            (-1.0, 1.842_700_793),
            (3.0, 2.209_049_7e-5),
        ] {
            assert!(
                ((erfc(x) - want) / want).abs() < 1e-6,
                "erfc({x}) = {}",
                erfc(x)
            );
        }
    }
}
