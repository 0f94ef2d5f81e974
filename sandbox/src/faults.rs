//! Faults on demand, reproducible from a seed.
//!
//! A [`FaultSpec`] says which faults may happen ([`FaultKind`]), where ([`FaultPoint`]) and
//! how often. Whether the `n`-th request at a point gets a fault, and which one, depends
//! only on the seed, the point and `n` ([`FaultSpec::fault_for`]): the same sequence of
//! submits meets the same faults on every run, however many polls happen in between.
//!
//! # Syntax
//!
//! A spec is a comma-separated list of `key=value` settings, e.g.
//! `seed=7,rate=0.2,kinds=500+429+reset-after`. An empty string or `none` means no faults.
//!
//! | key | value | default |
//! |---|---|---|
//! | `seed` | an unsigned integer | `0` |
//! | `rate` | the probability, from `0` to `1`, that an eligible request gets a fault | `1` |
//! | `kinds` | fault kinds joined by `+` (see [`FaultKind`]), or `all` | `all` |
//! | `on` | points joined by `+`: `submit`, `poll`, `download`, `task`, or `all` | `all` |
//! | `slow` | the delay of a `slow` answer: `250ms`, `2s`… | `2s` |
//! | `retry-after` | the seconds in the `Retry-After` header of `429` | `1` |
//!
//! A request is eligible when at least one of the kinds applies to its point; the fault is
//! then drawn uniformly among the kinds that apply.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Where a fault can happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultPoint {
    /// A submit: `POST /hub/v1/video` or `/hub/v1/image`.
    Submit,
    /// `GET /hub/v1/tasks/{task_id}`.
    Poll,
    /// A download from the file origin.
    Download,
    /// The outcome of a task, drawn when the task is created.
    Task,
}

impl FaultPoint {
    /// Every point.
    pub const ALL: [FaultPoint; 4] = [
        FaultPoint::Submit,
        FaultPoint::Poll,
        FaultPoint::Download,
        FaultPoint::Task,
    ];

    /// The name used in a spec, e.g. `submit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FaultPoint::Submit => "submit",
            FaultPoint::Poll => "poll",
            FaultPoint::Download => "download",
            FaultPoint::Task => "task",
        }
    }
}

impl fmt::Display for FaultPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One kind of fault; the name in a spec is in parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// (`500`) A JSON error answer with status 500. Submit and poll; nothing is processed.
    Status500,
    /// (`502`) A plain-text (HTML) 502, as a proxy sends. Submit and poll.
    Status502,
    /// (`503`) A 503 with a `{"detail": …}` body. Submit and poll.
    Status503,
    /// (`429`) Too many requests, with a `Retry-After` header. Submit and poll.
    RateLimited,
    /// (`429-bare`) Too many requests without `Retry-After`. Submit and poll.
    RateLimitedBare,
    /// (`reset-before`) The TCP connection is reset before the request is processed: no
    /// task is created. Submit and poll.
    ResetBefore,
    /// (`reset-after`) The request is processed (a submit creates its task), then the TCP
    /// connection is reset without an answer: the client cannot know the outcome. Submit
    /// and poll.
    ResetAfter,
    /// (`slow`) The answer comes after the spec's `slow` delay (a download's headers and
    /// first half come at once, the rest after the delay). Submit, poll and download.
    Slow,
    /// (`malformed`) The request is processed, and the answer is a 200 whose body is not
    /// JSON (single quotes). Submit and poll.
    Malformed,
    /// (`truncated`) The request is processed, and the answer is a 200 whose JSON body is
    /// cut in half (a complete HTTP answer). Submit and poll.
    Truncated,
    /// (`truncated-download`) The file's `Content-Length` is the full size (of the whole
    /// file, or of the range asked for), but the connection closes after half the bytes.
    /// Download.
    TruncatedDownload,
    /// (`failed`) The task ends `failed`, with an `error_code` and `error_message`. Task.
    Failed,
    /// (`timeout`) The task ends `timeout`. Task.
    Timeout,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 13] = [
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::RateLimited,
        FaultKind::RateLimitedBare,
        FaultKind::ResetBefore,
        FaultKind::ResetAfter,
        FaultKind::Slow,
        FaultKind::Malformed,
        FaultKind::Truncated,
        FaultKind::TruncatedDownload,
        FaultKind::Failed,
        FaultKind::Timeout,
    ];

    /// The name used in a spec, e.g. `reset-after`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FaultKind::Status500 => "500",
            FaultKind::Status502 => "502",
            FaultKind::Status503 => "503",
            FaultKind::RateLimited => "429",
            FaultKind::RateLimitedBare => "429-bare",
            FaultKind::ResetBefore => "reset-before",
            FaultKind::ResetAfter => "reset-after",
            FaultKind::Slow => "slow",
            FaultKind::Malformed => "malformed",
            FaultKind::Truncated => "truncated",
            FaultKind::TruncatedDownload => "truncated-download",
            FaultKind::Failed => "failed",
            FaultKind::Timeout => "timeout",
        }
    }

    /// Whether the kind can happen at `point`.
    pub const fn applies_to(self, point: FaultPoint) -> bool {
        match self {
            FaultKind::TruncatedDownload => matches!(point, FaultPoint::Download),
            FaultKind::Failed | FaultKind::Timeout => matches!(point, FaultPoint::Task),
            FaultKind::Slow => !matches!(point, FaultPoint::Task),
            _ => matches!(point, FaultPoint::Submit | FaultPoint::Poll),
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FaultKind {
    type Err = FaultSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        FaultKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names = FaultKind::ALL.iter().map(|k| k.as_str());
                FaultSpecError::UnknownKind {
                    kind: s.to_owned(),
                    suggestion: videohub::schema::suggest(s, names).map(|s| s.into_owned()),
                }
            })
    }
}

/// Which faults happen, where and how often; see the [module docs](self) for the syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// The seed every draw derives from.
    pub seed: u64,
    /// The probability that an eligible request gets a fault.
    pub rate: f64,
    /// The kinds drawn from, without duplicates.
    pub kinds: Vec<FaultKind>,
    /// The points where faults happen.
    pub points: Vec<FaultPoint>,
    /// The delay of a [`FaultKind::Slow`] answer.
    pub slow: Duration,
    /// The seconds announced by `Retry-After` on [`FaultKind::RateLimited`].
    pub retry_after: u32,
}

impl Default for FaultSpec {
    /// No faults.
    fn default() -> Self {
        FaultSpec {
            seed: 0,
            rate: 0.0,
            kinds: Vec::new(),
            points: FaultPoint::ALL.to_vec(),
            slow: Duration::from_secs(2),
            retry_after: 1,
        }
    }
}

impl FaultSpec {
    /// No faults at all.
    pub fn none() -> Self {
        FaultSpec::default()
    }

    /// Every eligible request gets one of `kinds` (rate 1), seed 0.
    ///
    /// ```
    /// use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec};
    /// let spec = FaultSpec::always([FaultKind::Status503]);
    /// assert_eq!(spec.fault_for(FaultPoint::Submit, 0), Some(FaultKind::Status503));
    /// assert_eq!(spec.fault_for(FaultPoint::Download, 0), None);
    /// ```
    pub fn always(kinds: impl IntoIterator<Item = FaultKind>) -> Self {
        let mut spec = FaultSpec {
            rate: 1.0,
            ..FaultSpec::default()
        };
        for kind in kinds {
            if !spec.kinds.contains(&kind) {
                spec.kinds.push(kind);
            }
        }
        spec
    }

    /// The same spec with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same spec with another rate, clamped to `0..=1`.
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }

    /// The same spec, limited to these points.
    pub fn on(mut self, points: impl IntoIterator<Item = FaultPoint>) -> Self {
        self.points = points.into_iter().collect();
        self
    }

    /// The same spec with another delay for slow answers.
    pub fn slow(mut self, delay: Duration) -> Self {
        self.slow = delay;
        self
    }

    /// Whether no request can ever get a fault.
    pub fn is_none(&self) -> bool {
        self.rate <= 0.0 || !FaultPoint::ALL.iter().any(|p| self.eligible(*p))
    }

    fn eligible(&self, point: FaultPoint) -> bool {
        self.points.contains(&point) && self.kinds.iter().any(|k| k.applies_to(point))
    }

    /// The fault of the `index`-th request (from 0) at `point`, if any. The sandbox counts
    /// the requests of each point separately (submits and polls with a valid key,
    /// downloads without `Authorization`, tasks as they are created), so a test can
    /// predict exactly which request fails, and how.
    pub fn fault_for(&self, point: FaultPoint, index: u64) -> Option<FaultKind> {
        if !self.points.contains(&point) || self.rate <= 0.0 {
            return None;
        }
        let candidates: Vec<FaultKind> = self
            .kinds
            .iter()
            .copied()
            .filter(|k| k.applies_to(point))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let mut rng = rng_for(self.seed, point as u64, index);
        if rng.f64() >= self.rate {
            return None;
        }
        Some(candidates[rng.usize(..candidates.len())])
    }
}

/// A generator for one draw: the seed, a stream (what is drawn) and the draw's index.
pub(crate) fn rng_for(seed: u64, stream: u64, index: u64) -> fastrand::Rng {
    let mixed = splitmix(splitmix(seed ^ splitmix(stream)) ^ index);
    fastrand::Rng::with_seed(mixed)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What is wrong with a fault spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultSpecError {
    /// A setting without `=`.
    #[error("fault setting `{0}` has no value: write key=value (e.g. seed=7)")]
    NoValue(String),
    /// A key that is not one of the settings.
    #[error("unknown fault setting `{key}`{}: expected seed, rate, kinds, on, slow or retry-after", hint(.suggestion))]
    UnknownKey {
        /// The key given.
        key: String,
        /// The closest setting.
        suggestion: Option<String>,
    },
    /// A key given twice.
    #[error("fault setting `{0}` is given twice")]
    Duplicate(String),
    /// A value that does not parse for its key.
    #[error("invalid value `{value}` for fault setting `{key}`: expected {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// What the key takes.
        expected: &'static str,
    },
    /// A fault kind that does not exist.
    #[error("unknown fault kind `{kind}`{}: expected one of {}", hint(.suggestion), kind_names())]
    UnknownKind {
        /// The kind given.
        kind: String,
        /// The closest kind.
        suggestion: Option<String>,
    },
    /// A point that does not exist.
    #[error("unknown fault point `{0}`: expected submit, poll, download, task or all")]
    UnknownPoint(String),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn kind_names() -> String {
    FaultKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

const KEYS: [&str; 6] = ["seed", "rate", "kinds", "on", "slow", "retry-after"];

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    /// Parses the syntax of the [module docs](self).
    ///
    /// ```
    /// use videohub_sandbox::{FaultKind, FaultSpec};
    /// let spec: FaultSpec = "seed=7,rate=0.2,kinds=500+429+reset-after".parse().unwrap();
    /// assert_eq!(spec.kinds, [FaultKind::Status500, FaultKind::RateLimited, FaultKind::ResetAfter]);
    /// let error = "seed=7,kinds=reset-aftr".parse::<FaultSpec>().unwrap_err();
    /// assert!(error.to_string().contains("did you mean `reset-after`?"));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(FaultSpec::none());
        }
        let mut spec = FaultSpec {
            rate: 1.0,
            kinds: FaultKind::ALL.to_vec(),
            ..FaultSpec::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        for setting in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = setting
                .split_once('=')
                .ok_or_else(|| FaultSpecError::NoValue(setting.to_owned()))?;
            let (key, value) = (key.trim(), value.trim());
            let Some(key) = KEYS.iter().copied().find(|k| *k == key) else {
                return Err(FaultSpecError::UnknownKey {
                    key: key.to_owned(),
                    suggestion: videohub::schema::suggest(key, KEYS.into_iter())
                        .map(|s| s.into_owned()),
                });
            };
            if seen.contains(&key) {
                return Err(FaultSpecError::Duplicate(key.to_owned()));
            }
            seen.push(key);
            let bad = |expected| FaultSpecError::BadValue {
                key: key.to_owned(),
                value: value.to_owned(),
                expected,
            };
            match key {
                "seed" => spec.seed = value.parse().map_err(|_| bad("an unsigned integer"))?,
                "rate" => {
                    spec.rate = value
                        .parse::<f64>()
                        .ok()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or_else(|| bad("a number from 0 to 1"))?;
                }
                "kinds" => {
                    spec.kinds = Vec::new();
                    for name in value.split('+') {
                        let kinds = if name.trim() == "all" {
                            FaultKind::ALL.to_vec()
                        } else {
                            vec![name.parse()?]
                        };
                        for kind in kinds {
                            if !spec.kinds.contains(&kind) {
                                spec.kinds.push(kind);
                            }
                        }
                    }
                }
                "on" => {
                    spec.points = Vec::new();
                    for name in value.split('+').map(str::trim) {
                        let points = match name {
                            "all" => FaultPoint::ALL.to_vec(),
                            _ => vec![
                                FaultPoint::ALL
                                    .into_iter()
                                    .find(|p| p.as_str() == name)
                                    .ok_or_else(|| FaultSpecError::UnknownPoint(name.to_owned()))?,
                            ],
                        };
                        for point in points {
                            if !spec.points.contains(&point) {
                                spec.points.push(point);
                            }
                        }
                    }
                }
                "slow" => {
                    spec.slow = humantime::parse_duration(value)
                        .map_err(|_| bad("a duration such as 500ms or 2s"))?
                }
                _ => {
                    spec.retry_after = value
                        .parse()
                        .map_err(|_| bad("a whole number of seconds"))?
                }
            }
        }
        Ok(spec)
    }
}

/// The spec in the syntax [`FromStr`] reads, e.g. `seed=7,rate=0.2,kinds=500+429,on=all,slow=2s,retry-after=1`.
impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        let points: Vec<&str> = self.points.iter().map(|p| p.as_str()).collect();
        write!(
            f,
            "seed={},rate={},kinds={},on={},slow={},retry-after={}",
            self.seed,
            self.rate,
            kinds.join("+"),
            points.join("+"),
            humantime::format_duration(self.slow),
            self.retry_after
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_setting() {
        let spec: FaultSpec = "seed=7, rate=0.25, kinds=500+429-bare+failed, on=submit+task, slow=150ms, retry-after=3"
            .parse()
            .expect("valid");
        assert_eq!(spec.seed, 7);
        assert_eq!(spec.rate, 0.25);
        assert_eq!(
            spec.kinds,
            [
                FaultKind::Status500,
                FaultKind::RateLimitedBare,
                FaultKind::Failed
            ]
        );
        assert_eq!(spec.points, [FaultPoint::Submit, FaultPoint::Task]);
        assert_eq!(spec.slow, Duration::from_millis(150));
        assert_eq!(spec.retry_after, 3);
        assert_eq!(spec.to_string().parse::<FaultSpec>(), Ok(spec));
    }

    #[test]
    fn defaults_and_none() {
        assert!("".parse::<FaultSpec>().expect("empty").is_none());
        assert!("none".parse::<FaultSpec>().expect("none").is_none());
        let all: FaultSpec = "seed=1".parse().expect("seed only");
        assert_eq!(all.rate, 1.0);
        assert_eq!(all.kinds, FaultKind::ALL);
        assert!("rate=0".parse::<FaultSpec>().expect("rate 0").is_none());
        assert_eq!(FaultSpec::none().to_string(), "none");
    }

    #[test]
    fn errors_are_clear() {
        let error = |s: &str| s.parse::<FaultSpec>().unwrap_err().to_string();
        assert_eq!(
            error("seed"),
            "fault setting `seed` has no value: write key=value (e.g. seed=7)"
        );
        assert!(error("sed=1").contains("unknown fault setting `sed` (did you mean `seed`?)"));
        assert_eq!(
            error("rate=2"),
            "invalid value `2` for fault setting `rate`: expected a number from 0 to 1"
        );
        assert!(error("kinds=500+reset").starts_with("unknown fault kind `reset`"));
        assert_eq!(
            error("seed=1,seed=2"),
            "fault setting `seed` is given twice"
        );
        assert!(error("on=everywhere").contains("unknown fault point `everywhere`"));
        assert!(error("slow=soon").contains("a duration"));
    }

    #[test]
    fn draws_depend_on_seed_point_and_index_only() {
        let spec: FaultSpec = "seed=42,rate=0.5,kinds=500+503+429".parse().expect("valid");
        let draws = |spec: &FaultSpec| {
            (0..64)
                .map(|i| spec.fault_for(FaultPoint::Submit, i))
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(&spec), draws(&spec.clone()));
        assert_ne!(draws(&spec), draws(&spec.clone().seed(43)));
        let hits = draws(&spec).iter().filter(|d| d.is_some()).count();
        assert!(
            (16..=48).contains(&hits),
            "about half of 64 draws hit, got {hits}"
        );
        assert!(spec.fault_for(FaultPoint::Download, 0).is_none());
        assert!(spec.fault_for(FaultPoint::Task, 0).is_none());
        let always = FaultSpec::always([FaultKind::Failed, FaultKind::Timeout]);
        assert!((0..16).all(|i| always.fault_for(FaultPoint::Task, i).is_some()));
    }
}
