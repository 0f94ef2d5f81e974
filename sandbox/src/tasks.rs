//! Tasks: how long they take, how they end, and the bounded store that holds them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};
use videohub::{Capability, Media};

/// How long a task takes before it finishes, before the time scale is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskDuration {
    /// Always the same duration.
    Fixed(Duration),
    /// A log-normal distribution: half of the tasks are faster than `median`; `sigma` is the
    /// standard deviation of the logarithm (0.5 puts most tasks between 0.4× and 2.7× the
    /// median).
    LogNormal {
        /// The median duration.
        median: Duration,
        /// The spread, in natural-log units.
        sigma: f64,
    },
}

impl Default for TaskDuration {
    /// A log-normal with a median of 60 s and sigma 0.5, like the hub's real models.
    fn default() -> Self {
        TaskDuration::LogNormal {
            median: Duration::from_secs(60),
            sigma: 0.5,
        }
    }
}

impl TaskDuration {
    /// One duration from the distribution.
    pub fn sample(&self, rng: &mut fastrand::Rng) -> Duration {
        match self {
            TaskDuration::Fixed(duration) => *duration,
            TaskDuration::LogNormal { median, sigma } => {
                // Box-Muller: a standard normal from two uniforms.
                let u1 = 1.0 - rng.f64();
                let u2 = rng.f64();
                let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                let factor = (sigma * normal).exp();
                Duration::try_from_secs_f64(median.as_secs_f64() * factor).unwrap_or(*median)
            }
        }
    }
}

/// `30s` (fixed) or `lognormal:60s:0.5` (median, sigma).
impl FromStr for TaskDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected =
            || format!("invalid task duration `{s}`: expected e.g. `30s` or `lognormal:60s:0.5`");
        match s.trim().split(':').collect::<Vec<_>>()[..] {
            [fixed] => humantime::parse_duration(fixed)
                .map(TaskDuration::Fixed)
                .map_err(|_| expected()),
            ["lognormal", median, sigma] => Ok(TaskDuration::LogNormal {
                median: humantime::parse_duration(median).map_err(|_| expected())?,
                sigma: sigma
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or_else(expected)?,
            }),
            _ => Err(expected()),
        }
    }
}

impl fmt::Display for TaskDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskDuration::Fixed(d) => write!(f, "{}", humantime::format_duration(*d)),
            TaskDuration::LogNormal { median, sigma } => {
                write!(
                    f,
                    "lognormal:{}:{sigma}",
                    humantime::format_duration(*median)
                )
            }
        }
    }
}

/// How a task ends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Completed,
    Failed { code: Value, message: &'static str },
    Timeout,
}

/// Failures a provider reports; a code made of digits is sent as a number, the others as
/// strings, as the hub does not say which it uses.
const FAILURES: [(&str, &str); 3] = [
    (
        "CONTENT_POLICY_VIOLATION",
        "The prompt was flagged by the provider's content filter.",
    ),
    ("500", "The upstream provider returned an internal error."),
    ("INVALID_IMAGE", "An input image could not be downloaded."),
];

impl Outcome {
    pub(crate) fn failed(rng: &mut fastrand::Rng) -> Outcome {
        let (code, message) = FAILURES[rng.usize(..FAILURES.len())];
        let code = code
            .parse::<i64>()
            .map_or_else(|_| json!(code), |n| json!(n));
        Outcome::Failed { code, message }
    }
}

/// One task of the sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub(crate) id: String,
    pub(crate) model: String,
    /// What the model generates: the kind of its output file.
    pub(crate) capability: Capability,
    pub(crate) created: Instant,
    pub(crate) created_at: SystemTime,
    /// The real time it takes, scale applied.
    pub(crate) duration: Duration,
    pub(crate) outcome: Outcome,
    /// Polls of this task received.
    pub(crate) polls: u32,
    /// How long after it finished the first poll that found it finished came.
    pub(crate) seen_finished_after: Option<Duration>,
}

/// What a task is at one instant.
pub(crate) enum Phase<'a> {
    Pending,
    Processing,
    Done(&'a Outcome),
}

impl Task {
    /// The phase at `now`: pending for the first fifth of the duration, then processing.
    pub(crate) fn phase(&self, now: Instant) -> Phase<'_> {
        let elapsed = now.saturating_duration_since(self.created);
        if elapsed >= self.duration {
            Phase::Done(&self.outcome)
        } else if elapsed < self.duration / 5 {
            Phase::Pending
        } else {
            Phase::Processing
        }
    }

    pub(crate) fn finished_at(&self) -> Instant {
        self.created + self.duration
    }

    /// The kind of the finished task's file.
    pub(crate) fn media(&self) -> Media {
        self.capability.output().unwrap_or(Media::Video)
    }

    /// The file name of the finished task's file, e.g. `<id>.mp4`.
    pub(crate) fn file_name(&self) -> String {
        format!("{}.{}", self.id, self.media().extension())
    }
}

/// At most `max` tasks; finished tasks older than `retention` make room for new ones.
#[derive(Debug)]
pub(crate) struct TaskStore {
    max: usize,
    retention: Duration,
    tasks: HashMap<String, Task>,
    order: VecDeque<String>,
    /// Hashes of the bodies tasks were created from, to count resent submits.
    bodies: HashSet<u64>,
}

impl TaskStore {
    pub(crate) fn new(max: usize, retention: Duration) -> Self {
        TaskStore {
            max,
            retention,
            tasks: HashMap::new(),
            order: VecDeque::new(),
            bodies: HashSet::new(),
        }
    }

    /// Whether one more task fits, after dropping the oldest finished task past its
    /// retention when full: a task is forgotten only when its place is needed, so that
    /// clients polling at their own pace see the end of theirs.
    pub(crate) fn make_room(&mut self, now: Instant) -> bool {
        if self.tasks.len() < self.max {
            return true;
        }
        let retention = self.retention;
        let expired = self.order.iter().position(|id| {
            self.tasks
                .get(id)
                .is_some_and(|t| now.saturating_duration_since(t.finished_at()) > retention)
        });
        if let Some(id) = expired.and_then(|at| self.order.remove(at)) {
            self.tasks.remove(&id);
        }
        self.tasks.len() < self.max
    }

    pub(crate) fn insert(&mut self, task: Task) {
        self.order.push_back(task.id.clone());
        self.tasks.insert(task.id.clone(), task);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Task> {
        self.tasks.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.get_mut(id)
    }

    /// Whether a task was already created from a body with this hash; remembers it.
    pub(crate) fn seen_body(&mut self, hash: u64) -> bool {
        !self.bodies.insert(hash)
    }

    pub(crate) fn len(&self) -> usize {
        self.tasks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_sample() {
        assert_eq!(
            "30s".parse(),
            Ok(TaskDuration::Fixed(Duration::from_secs(30)))
        );
        let log: TaskDuration = "lognormal:60s:0.5".parse().expect("valid");
        assert_eq!(log, TaskDuration::default());
        assert_eq!(log.to_string().parse(), Ok(log.clone()));
        assert!("lognormal:60s".parse::<TaskDuration>().is_err());
        assert!("lognormal:1m:-1".parse::<TaskDuration>().is_err());
        let mut rng = fastrand::Rng::with_seed(1);
        let mut samples: Vec<f64> = (0..401)
            .map(|_| log.sample(&mut rng).as_secs_f64())
            .collect();
        samples.sort_by(f64::total_cmp);
        let median = samples[200];
        assert!((40.0..90.0).contains(&median), "median {median}");
    }
}
