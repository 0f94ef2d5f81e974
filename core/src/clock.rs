//! The time the client waits on: every retry backoff, every poll interval, every deadline
//! and every "now" of the SDK goes through one [`Clock`], tokio's unless the caller
//! supplies another. Only the timeouts of I/O (a request's, a download's idle timeout)
//! run in real time: they bound what the network does, not what the client waits for.

use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use tokio::time::Instant;

/// The time retries, polls and downloads wait on.
///
/// The default, [`TokioClock`], is real time (or tokio's paused time in tests that pause
/// it). Supply another with [`ClientBuilder::clock`](crate::ClientBuilder::clock), e.g. a
/// clock whose sleeps return at once while it records them, to test code that waits for
/// tasks without waiting.
///
/// ```
/// use std::sync::Mutex;
/// use std::time::Duration;
/// use futures::future::BoxFuture;
/// use videohub_core::{Client, Clock};
///
/// /// A clock whose sleeps take no time: its own time moves on by what they asked.
/// struct Instant0 {
///     start: tokio::time::Instant,
///     slept: Mutex<Duration>,
/// }
///
/// impl Clock for Instant0 {
///     fn now(&self) -> tokio::time::Instant {
///         self.start + *self.slept.lock().unwrap()
///     }
///     fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
///         *self.slept.lock().unwrap() += duration;
///         Box::pin(std::future::ready(()))
///     }
/// }
///
/// let clock = Instant0 { start: tokio::time::Instant::now(), slept: Mutex::new(Duration::ZERO) };
/// let client = Client::builder()
///     .api_key("sk-example")
///     .clock(std::sync::Arc::new(clock))
///     .build()?;
/// # Ok::<(), videohub_core::Error>(())
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current instant, for elapsed times and deadlines.
    fn now(&self) -> Instant;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;

    /// The current time of day, for the dates a server sends (`Retry-After` as an HTTP
    /// date). The system's by default.
    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Tokio's clock: real time, or tokio's paused time in tests that pause it.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
