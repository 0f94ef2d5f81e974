//! How often a task is polled, and for how long: [`PollPolicy`] and its [`Schedule`].

use std::time::Duration;

use crate::learned::LearnedSchedule;

/// When the polls of a task come: the shape of a [`PollPolicy`]'s schedule, as a value.
///
/// ```
/// use std::time::Duration;
/// use videohub_core::{PollPolicy, Schedule};
///
/// let policy = PollPolicy::exponential(Duration::from_secs(1), 2.0, Duration::from_secs(60));
/// assert_eq!(
///     policy.schedule(),
///     Schedule::Exponential {
///         initial: Duration::from_secs(1),
///         factor: 2.0,
///         max: Duration::from_secs(60),
///     }
/// );
/// assert!(matches!(PollPolicy::default().schedule(), Schedule::Learned { target_polls: 14, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// A poll every interval, the first one an interval after the submit.
    Fixed(Duration),
    /// The first poll `initial` after the submit, each interval `factor` times the previous
    /// one (a factor below 1 is taken as 1), up to `max`.
    Exponential {
        /// The wait before the first poll of a submitted task, and the first interval.
        initial: Duration,
        /// What each interval is multiplied by.
        factor: f64,
        /// The longest interval.
        max: Duration,
    },
    /// Polls placed where the model's tasks usually finish, from the durations of its
    /// recent tasks once the client knows 3 (the schedule is chosen when the wait starts):
    /// about `target_polls` requests per task, intervals between `min_interval` and `max`
    /// (`max` wins, except for the first wait). Without such durations (a new client, a new
    /// model, a task resumed by id whose answers carry no `elapsed_ms`) the polls follow
    /// `initial`, × `factor`, up to `max`, as [`Schedule::Exponential`] does.
    Learned {
        /// Without history: the wait before the first poll of a submitted task.
        initial: Duration,
        /// Without history: what each interval is multiplied by.
        factor: f64,
        /// The longest interval, learned or not.
        max: Duration,
        /// The shortest interval of a learned schedule.
        min_interval: Duration,
        /// The requests a learned schedule aims to spend per task, on average (at least 2).
        target_polls: u32,
    },
}

impl Schedule {
    /// The default: learned, and without history 5 s, × 1.5, up to 15 s.
    const DEFAULT: Schedule = Schedule::Learned {
        initial: Duration::from_secs(5),
        factor: 1.5,
        max: Duration::from_secs(15),
        min_interval: Duration::from_secs(1),
        target_polls: 14,
    };

    /// The schedule without history: the first interval, the factor, the longest interval.
    fn unlearned(self) -> (Duration, f64, Duration) {
        match self {
            Schedule::Fixed(interval) => (interval, 1.0, interval),
            Schedule::Exponential {
                initial,
                factor,
                max,
            }
            | Schedule::Learned {
                initial,
                factor,
                max,
                ..
            } => (initial, factor, max),
        }
    }

    /// The schedule with the given unlearned shape, keeping whether (and how) it learns.
    fn with_unlearned(self, initial: Duration, factor: f64, max: Duration) -> Schedule {
        match self {
            Schedule::Learned {
                min_interval,
                target_polls,
                ..
            } => Schedule::Learned {
                initial,
                factor,
                max,
                min_interval,
                target_polls,
            },
            _ if factor == 1.0 && initial == max => Schedule::Fixed(initial),
            _ => Schedule::Exponential {
                initial,
                factor,
                max,
            },
        }
    }

    /// The same schedule with its factor and target in range.
    fn checked(self) -> Schedule {
        let (initial, factor, max) = self.unlearned();
        let factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        let mut schedule = self.with_unlearned(initial, factor, max);
        if let Schedule::Learned { target_polls, .. } = &mut schedule {
            *target_polls = (*target_polls).max(2);
        }
        schedule
    }
}

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
/// | [`deadline`](PollPolicy::deadline) | 30 min | give up with [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded) (the task goes on) |
///
/// The schedule settings make up a [`Schedule`] value ([`PollPolicy::schedule`],
/// [`PollPolicy::with_schedule`]).
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
/// polls at about 22, 28, 33, 37, 41, 44… s. The requests and delays this gives against
/// the other schedules, measured against the sandbox, are in `BENCHMARKS.md` (Polling).
/// The schedule is independent of the time unit: tasks of 60 ms are polled like tasks of
/// 60 s, scaled, down to `min_interval`.
///
/// The other classic schedules are [`PollPolicy::fixed`] and [`PollPolicy::exponential`].
///
/// ```
/// use std::time::Duration;
/// use videohub_core::PollPolicy;
///
/// let patient = PollPolicy::default().deadline(Duration::from_secs(3600));
/// assert_eq!(patient.get_deadline(), Some(Duration::from_secs(3600)));
/// let every_two_seconds = PollPolicy::fixed(Duration::from_secs(2));
/// assert!(!every_two_seconds.get_learn());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    schedule: Schedule,
    pub(super) max_failed_polls: u32,
    pub(super) deadline: Option<Duration>,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy::with_schedule(Schedule::DEFAULT)
    }
}

impl PollPolicy {
    /// A policy polling on `schedule`, with the default failure tolerance and deadline.
    pub fn with_schedule(schedule: Schedule) -> Self {
        PollPolicy {
            schedule: schedule.checked(),
            max_failed_polls: 3,
            deadline: Some(Duration::from_secs(30 * 60)),
        }
    }

    /// A poll every `interval`, the first one `interval` after the submit; no learning.
    /// (fal's and Replicate's clients poll every 0.5 s.)
    pub fn fixed(interval: Duration) -> Self {
        PollPolicy::with_schedule(Schedule::Fixed(interval))
    }

    /// The first poll `initial` after the submit, each interval `factor` times the previous
    /// one, up to `max`; no learning. (Google's long-running operations: 1 s, ×2, 60 s.)
    pub fn exponential(initial: Duration, factor: f64, max: Duration) -> Self {
        PollPolicy::with_schedule(Schedule::Exponential {
            initial,
            factor,
            max,
        })
    }

    /// The schedule of this policy.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    fn reshape(mut self, initial: Duration, factor: f64, max: Duration) -> Self {
        self.schedule = self.schedule.with_unlearned(initial, factor, max).checked();
        self
    }

    /// Sets the wait before the first poll of a submitted task, and the first interval,
    /// of the schedule used without history.
    pub fn initial_delay(self, delay: Duration) -> Self {
        let (_, factor, max) = self.schedule.unlearned();
        self.reshape(delay, factor, max)
    }

    /// Sets the factor each interval grows by without history (values below 1 are taken
    /// as 1).
    pub fn backoff(self, factor: f64) -> Self {
        let (initial, _, max) = self.schedule.unlearned();
        self.reshape(initial, factor, max)
    }

    /// Sets the longest interval between two polls, learned or not.
    pub fn max_interval(self, interval: Duration) -> Self {
        let (initial, factor, _) = self.schedule.unlearned();
        self.reshape(initial, factor, interval)
    }

    /// Sets the shortest interval of a learned schedule (`max_interval` wins when smaller).
    /// A policy that does not learn has no use for it: set it after
    /// [`learn(true)`](PollPolicy::learn).
    pub fn min_interval(mut self, interval: Duration) -> Self {
        if let Schedule::Learned { min_interval, .. } = &mut self.schedule {
            *min_interval = interval;
        }
        self
    }

    /// Whether polls follow the learned durations of the model's tasks when the client
    /// knows at least 3 (on by default). Off, the schedule is always
    /// `initial_delay`, × `backoff`, up to `max_interval`. Turned on for a policy that did
    /// not learn, the shortest learned interval is the first one (or `max_interval` when
    /// smaller) and the target is 14 polls.
    pub fn learn(mut self, learn: bool) -> Self {
        let (initial, factor, max) = self.schedule.unlearned();
        self.schedule = match (learn, self.schedule) {
            (true, learned @ Schedule::Learned { .. }) => learned,
            (true, _) => Schedule::Learned {
                initial,
                factor,
                max,
                min_interval: initial.min(max),
                target_polls: 14,
            },
            (false, _) => Schedule::Exponential {
                initial,
                factor,
                max,
            }
            .with_unlearned(initial, factor, max),
        };
        self
    }

    /// Sets how many requests a learned schedule aims to spend per task, on average (at
    /// least 2). More requests, shorter delays (see `BENCHMARKS.md`, Polling, for what
    /// each target gives). A policy that does not learn has no use for it: set it after
    /// [`learn(true)`](PollPolicy::learn).
    pub fn target_polls(mut self, polls: u32) -> Self {
        if let Schedule::Learned { target_polls, .. } = &mut self.schedule {
            *target_polls = polls.max(2);
        }
        self
    }

    /// Sets how many polls in a row may fail, after the client's own retries, before the
    /// wait ends with the error (3 by default; 0 ends it at the first failure). Only
    /// transient errors ([`Error::is_transient`](crate::Error::is_transient)) and
    /// undecodable answers are tolerated.
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

    /// The overall deadline, if any (set with [`deadline`](PollPolicy::deadline)).
    pub fn get_deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Whether the policy follows learned durations (set with
    /// [`learn`](PollPolicy::learn)).
    pub fn get_learn(&self) -> bool {
        matches!(self.schedule, Schedule::Learned { .. })
    }

    /// How many polls in a row may fail before the wait ends (set with
    /// [`max_failed_polls`](PollPolicy::max_failed_polls)).
    pub fn get_max_failed_polls(&self) -> u32 {
        self.max_failed_polls
    }

    #[doc(hidden)]
    #[deprecated(note = "renamed `get_deadline`")]
    pub fn deadline_after(&self) -> Option<Duration> {
        self.deadline
    }

    #[doc(hidden)]
    #[deprecated(note = "renamed `get_learn`")]
    pub fn learns(&self) -> bool {
        self.get_learn()
    }

    /// The wait before the first poll of a submitted task, without history.
    pub(super) fn first_interval(&self) -> Duration {
        self.schedule.unlearned().0
    }

    /// The interval after `interval`, without history.
    pub(super) fn grow(&self, interval: Duration) -> Duration {
        let (_, factor, max) = self.schedule.unlearned();
        interval.mul_f64(factor).min(max)
    }

    /// The interval to the next poll of a learned schedule, for a task of `age`. The wait
    /// before the first poll of a fresh task (`age` zero) is not capped by `max_interval`:
    /// it ends where about 1 % of the model's tasks have finished. A policy that does not
    /// learn gives its longest interval.
    pub(super) fn learned_interval(&self, schedule: &LearnedSchedule, age: Duration) -> Duration {
        let Schedule::Learned {
            max,
            min_interval,
            target_polls,
            ..
        } = self.schedule
        else {
            return self.schedule.unlearned().2;
        };
        let now = age.as_secs_f64();
        let gap = schedule
            .next_age(now, target_polls)
            .and_then(|next| Duration::try_from_secs_f64(next - now).ok())
            .unwrap_or(max);
        if age.is_zero() {
            gap.max(min_interval)
        } else {
            gap.max(min_interval).min(max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learned::normal_survival;

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
        assert!(default.get_learn());
        assert!(matches!(
            default.schedule(),
            Schedule::Learned {
                target_polls: 14,
                ..
            }
        ));
        assert_eq!(default.get_deadline(), Some(Duration::from_secs(1800)));
        let fixed = PollPolicy::fixed(Duration::from_millis(500));
        assert!(!fixed.get_learn());
        assert_eq!(
            fixed.grow(Duration::from_millis(500)),
            Duration::from_millis(500)
        );
        let exp = PollPolicy::exponential(Duration::from_secs(1), 2.0, Duration::from_secs(60));
        assert_eq!(exp.grow(Duration::from_secs(16)), Duration::from_secs(32));
        assert_eq!(exp.grow(Duration::from_secs(40)), Duration::from_secs(60));
        assert!(matches!(
            PollPolicy::default().target_polls(0).schedule(),
            Schedule::Learned {
                target_polls: 2,
                ..
            }
        ));
    }

    #[test]
    fn the_builders_reshape_the_schedule() {
        let secs = Duration::from_secs;
        assert_eq!(
            PollPolicy::fixed(secs(2)).schedule(),
            Schedule::Fixed(secs(2))
        );
        // A fixed schedule with another first wait is an exponential one of factor 1.
        assert_eq!(
            PollPolicy::fixed(secs(2)).initial_delay(secs(5)).schedule(),
            Schedule::Exponential {
                initial: secs(5),
                factor: 1.0,
                max: secs(2)
            }
        );
        // Not learning keeps the shape used without history; learning again keeps it too.
        let unlearned = PollPolicy::default().learn(false);
        assert!(!unlearned.get_learn());
        assert_eq!(
            unlearned.schedule(),
            Schedule::Exponential {
                initial: secs(5),
                factor: 1.5,
                max: secs(15)
            }
        );
        assert_eq!(unlearned.grow(secs(5)), Duration::from_millis(7500));
        let relearned = PollPolicy::fixed(secs(2)).learn(true);
        assert_eq!(
            relearned.schedule(),
            Schedule::Learned {
                initial: secs(2),
                factor: 1.0,
                max: secs(2),
                min_interval: secs(2),
                target_polls: 14
            }
        );
        assert_eq!(PollPolicy::default().learn(true), PollPolicy::default());
        // A factor below 1, or not a number, is 1.
        assert_eq!(
            PollPolicy::with_schedule(Schedule::Exponential {
                initial: secs(1),
                factor: f64::NAN,
                max: secs(1)
            })
            .schedule(),
            Schedule::Fixed(secs(1))
        );
        assert_eq!(
            PollPolicy::exponential(secs(1), 0.5, secs(4)).grow(secs(1)),
            secs(1)
        );
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
}
