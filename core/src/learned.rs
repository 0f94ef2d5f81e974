//! What a client learns of task durations: the recent durations of each model, the
//! log-normal fit of them and the poll schedule it gives ([`LearnedSchedule`]), and the
//! public snapshot of them ([`TaskDurations`]).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    pub(crate) fn snapshot(&self) -> TaskDurations {
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
/// ([`Client::task_durations`](crate::Client::task_durations)) in your own storage and load it into the new client
/// ([`Client::remember_task_durations`](crate::Client::remember_task_durations)). It serializes as a JSON object of seconds per
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
pub(super) fn normal_survival(z: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
