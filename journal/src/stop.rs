//! Stopping a runner's work from outside (a signal, a server shutting down), in two steps.

use tokio_util::sync::CancellationToken;

/// How the work of a [`Runner`](crate::Runner) is stopped from outside: shared by the
/// runner, its clones and whoever stops it (a signal handler, a server shutting down).
///
/// [`Stop::gracefully`] stops taking new jobs and lets go at once of every job that is
/// waiting (for its submit's turn, on the hub, for a download's turn), while downloads
/// under way go on to their end. [`Stop::immediately`] lets go of those downloads too
/// (their part files stay recorded, and the next worker continues them). A submit in
/// flight is always finished and its answer recorded first, so a stop never leaves a
/// submit's outcome unknown. A job let go keeps its state (a submitted job stays
/// submitted) and is released, for another worker to take at once: its drive ends with
/// [`Error::LetGo`](crate::Error::LetGo).
///
/// ```
/// let stop = videohub_journal::Stop::new();
/// assert!(!stop.is_requested());
/// stop.gracefully();
/// assert!(stop.is_requested() && !stop.is_immediate());
/// stop.immediately();
/// assert!(stop.is_immediate());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Stop {
    graceful: CancellationToken,
    immediate: CancellationToken,
}

impl Stop {
    /// A stop not yet requested.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Stops taking new jobs and lets go of the jobs that are not downloading.
    pub fn gracefully(&self) {
        self.graceful.cancel();
    }

    /// Lets go of every job, downloads under way too (a submit in flight is still
    /// recorded first).
    pub fn immediately(&self) {
        self.graceful.cancel();
        self.immediate.cancel();
    }

    /// Whether a stop was asked for, of either kind.
    pub fn is_requested(&self) -> bool {
        self.graceful.is_cancelled()
    }

    /// Whether an immediate stop was asked for.
    pub fn is_immediate(&self) -> bool {
        self.immediate.is_cancelled()
    }

    /// Once a stop of either kind is asked for.
    pub async fn requested(&self) {
        self.graceful.cancelled().await;
    }

    /// Once an immediate stop is asked for.
    pub async fn immediate(&self) {
        self.immediate.cancelled().await;
    }
}
