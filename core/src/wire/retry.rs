//! When a failed request is tried again, and how long the client waits before it does.
//!
//! Reads (`GET`) are retried on transport errors, timeouts, 429 and 5xx. A submit is retried
//! only when the hub cannot have accepted it: the connection could not be opened, or the hub
//! answered 429 or 503. Between tries the client waits a random time between zero and an
//! exponentially growing bound ("full jitter"), or exactly what `Retry-After` asks. One
//! loop, [`retry`], makes the decision for every request of the SDK (the transport's API
//! requests and the downloads), from the policy, the clock it waits on, whether the
//! request is idempotent, and what each failed try says ([`Retryable::verdict`]).
//!
//! **Rate limits.** A 429, or a 503 with `Retry-After`, says the hub did not take the
//! request, only that it cannot take it now: such refusals are counted apart from other
//! failures, and a request is sent
//! again up to [`RetryPolicy::refusal_retries`] times (8 by default), each after the
//! `Retry-After` the hub asked (or the backoff). Past that, or past a `Retry-After` longer
//! than [`RetryPolicy::max_retry_after`], the caller gets
//! [`Error::RateLimited`](crate::Error::RateLimited) (or [`Error::Server`](crate::Error::Server)
//! for a 503): for a submit, a request the hub did not take, safe to send again later
//! (videohub's journal keeps such a job pending and sends it again after the pause).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::clock::Clock;

/// How many times, and how patiently, a failed request is retried.
///
/// Defaults: 3 retries, backoff bound starting at 500 ms and doubling up to 20 s, and a
/// `Retry-After` of up to 60 s honoured (a longer one is returned to the caller as
/// [`Error::RateLimited`](crate::Error::RateLimited) instead of sleeping). Refusals (429,
/// or 503 with `Retry-After`) are retried up to 8 times, apart from the 3 retries of other
/// failures.
///
/// ```
/// use std::time::Duration;
/// use videohub_core::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(5).initial_backoff(Duration::from_millis(200));
/// assert_eq!(policy.get_max_retries(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    refusal_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            refusal_retries: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            refusal_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets how many times a request is retried after its first try.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets how many times a request the hub refused for now (429, or 503 with
    /// `Retry-After`: it did not take it) is sent again, counted apart from the retries of other failures.
    pub fn refusal_retries(mut self, retries: u32) -> Self {
        self.refusal_retries = retries;
        self
    }

    /// Sets the backoff bound of the first retry; it doubles on each further retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest backoff bound.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` the client sleeps through; a longer one ends the
    /// retries with [`Error::RateLimited`](crate::Error::RateLimited) carrying the delay.
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// How many times a request is retried after its first try (set with
    /// [`max_retries`](RetryPolicy::max_retries)).
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// How many times a request the hub refused for now is sent again (set with
    /// [`refusal_retries`](RetryPolicy::refusal_retries)).
    pub fn get_refusal_retries(&self) -> u32 {
        self.refusal_retries
    }

    /// The backoff bound of the first retry.
    pub fn get_initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff bound.
    pub fn get_max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest `Retry-After` the client sleeps through.
    pub fn get_max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    #[doc(hidden)]
    #[deprecated(note = "renamed `get_max_retries`")]
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    #[doc(hidden)]
    #[deprecated(note = "renamed `get_refusal_retries`")]
    pub fn refusals(&self) -> u32 {
        self.refusal_retries
    }

    /// The delay before sending again a request the hub refused for now for the
    /// `refusal`-th time (0-based), or `None` when no try is left or the hub asked for a
    /// longer wait than the policy accepts.
    pub(crate) fn refusal_delay(
        &self,
        refusal: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if refusal >= self.refusal_retries {
            return None;
        }
        self.wait(refusal, retry_after)
    }

    /// The delay before retry number `retry` (0-based), or `None` when no retry is left or
    /// the hub asked for a longer wait than the policy accepts.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        self.wait(retry, retry_after)
    }

    /// `Retry-After` when acceptable, else the backoff of try `retry`.
    fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let factor = 2u32.saturating_pow(retry.min(30));
        let bound = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        Some(Duration::from_nanos(fastrand::u64(0..=nanos)))
    }
}

/// What a failed try says about the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No other try will do better.
    Stop,
    /// Another try may succeed: after `after` when the other side said how long, else after
    /// the policy's backoff.
    Retry { after: Option<Duration> },
    /// The hub refused the request for now (429, or 503 with `Retry-After`): it did not take
    /// it. Waited out, and counted apart from the other failures.
    Refused { after: Option<Duration> },
}

/// A failed try that can tell whether another one may succeed.
pub(crate) trait Retryable: fmt::Debug {
    /// The verdict on this failure of a request that is (or is not) `idempotent`.
    fn verdict(&self, idempotent: bool) -> Verdict;
}

/// A request given up: its last failure and how many tries were made.
#[derive(Debug)]
pub(crate) struct GaveUp<F> {
    pub(crate) failure: F,
    pub(crate) tries: u32,
}

/// Runs `attempt` (told the number of its try, 1 for the first) until it succeeds, fails
/// in a way no other try mends, or `policy` allows no further try; between tries waits on
/// `clock` for the backoff of `policy` or what the other side asked.
pub(crate) async fn retry<T, F: Retryable, Try: Future<Output = Result<T, F>>>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    idempotent: bool,
    mut attempt: impl FnMut(u32) -> Try,
) -> Result<T, GaveUp<F>> {
    let (mut retries, mut refusals, mut tries) = (0, 0, 0);
    loop {
        tries += 1;
        let failure = match attempt(tries).await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        let verdict = failure.verdict(idempotent);
        let refused = matches!(verdict, Verdict::Refused { .. });
        let delay = match verdict {
            Verdict::Stop => None,
            Verdict::Retry { after } => {
                retries += 1;
                policy.delay(retries - 1, after)
            }
            Verdict::Refused { after } => {
                refusals += 1;
                policy.refusal_delay(refusals - 1, after)
            }
        };
        let Some(delay) = delay else {
            return Err(GaveUp { failure, tries });
        };
        // Named, for a metrics layer: `refused` is a wait the other side asked for (429,
        // 503: a rate limit), as against a backoff after a failure.
        tracing::debug!(
            name: "videohub.retry",
            tries,
            delay_ms = delay.as_millis() as u64,
            refused,
            idempotent,
            failure = ?failure,
            "trying again"
        );
        clock.sleep(delay).await;
    }
}

/// Reads `Retry-After` as seconds or as an HTTP date (counted from `clock`'s time of day).
pub(crate) fn retry_after(headers: &HeaderMap, clock: &dyn Clock) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(clock.system_now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_stops() {
        let policy = RetryPolicy::default()
            .max_retries(4)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(250));
        for retry in 0..4 {
            let delay = policy.delay(retry, None).expect("a retry is left");
            assert!(delay <= Duration::from_millis(250));
        }
        assert_eq!(policy.delay(4, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_limit() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(policy.delay(0, Some(Duration::from_secs(11))), None);
    }

    #[test]
    fn refusals_are_counted_apart() {
        let policy = RetryPolicy::default().max_retries(1);
        assert_eq!(policy.delay(1, Some(Duration::from_secs(1))), None);
        assert_eq!(
            policy.refusal_delay(7, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(policy.refusal_delay(8, Some(Duration::from_secs(1))), None);
        assert_eq!(RetryPolicy::none().refusal_delay(0, None), None);
    }

    /// A clock stopped at a time of day, whose sleeps return at once.
    struct Stopped(std::time::SystemTime);

    impl Clock for Stopped {
        fn now(&self) -> tokio::time::Instant {
            tokio::time::Instant::now()
        }
        fn sleep(&self, _: Duration) -> futures::future::BoxFuture<'static, ()> {
            Box::pin(std::future::ready(()))
        }
        fn system_now(&self) -> std::time::SystemTime {
            self.0
        }
    }

    #[test]
    fn retry_after_parses_seconds_and_dates_on_the_clock() {
        let date = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").expect("date");
        let clock = Stopped(date - Duration::from_secs(90));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "12".parse().expect("header"));
        assert_eq!(retry_after(&headers, &clock), Some(Duration::from_secs(12)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers, &clock), Some(Duration::from_secs(90)));
        let later = Stopped(date + Duration::from_secs(5));
        assert_eq!(retry_after(&headers, &later), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().expect("header"));
        assert_eq!(retry_after(&headers, &clock), None);
    }

    #[derive(Debug)]
    struct Said(Verdict);

    impl Retryable for Said {
        fn verdict(&self, _: bool) -> Verdict {
            self.0
        }
    }

    #[tokio::test]
    async fn one_loop_counts_refusals_apart_and_stops_when_told() {
        let policy = RetryPolicy::default()
            .max_retries(1)
            .refusal_retries(2)
            .initial_backoff(Duration::from_millis(1));
        let clock = Stopped(std::time::SystemTime::now());
        let mut said = vec![
            Verdict::Refused { after: None },
            Verdict::Retry { after: None },
            Verdict::Refused { after: None },
        ];
        said.reverse();
        let outcome = retry(&policy, &clock, true, |_| {
            let next = said.pop();
            async move {
                match next {
                    Some(verdict) => Err(Said(verdict)),
                    None => Ok("done"),
                }
            }
        })
        .await;
        assert_eq!(outcome.expect("three failures allowed"), "done");

        let outcome: Result<(), _> = retry(&policy, &clock, true, |_| async {
            Err(Said(Verdict::Retry { after: None }))
        })
        .await;
        assert_eq!(outcome.expect_err("one retry").tries, 2);
        let outcome: Result<(), _> = retry(&policy, &clock, true, |_| async {
            Err(Said(Verdict::Stop))
        })
        .await;
        assert_eq!(outcome.expect_err("stopped").tries, 1);
    }
}
