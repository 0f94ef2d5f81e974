//! When a failed request is tried again, and how long the client waits before it does.
//!
//! Reads (`GET`) are retried on transport errors, timeouts, 429 and 5xx. A submit is retried
//! only when the hub cannot have accepted it: the connection could not be opened, or the hub
//! answered 429 or 503. Between tries the client waits a random time between zero and an
//! exponentially growing bound ("full jitter"), or exactly what `Retry-After` asks. The
//! decision is made in one place, the transport's request loop (`transport.rs`); this module
//! holds the policy and the delays.
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

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

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
/// assert_eq!(policy.retries(), 5);
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

    /// How many times a request is retried after its first try.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// How many times a request the hub refused for now is sent again.
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

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
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

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "12".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(12)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().expect("header"));
        assert_eq!(retry_after(&headers), None);
    }
}
