//! A journal out of reach, waited out: a call that meets an outage (the server down or
//! restarting, the file locked) is made again with backoff for as long as the run's
//! deadline allows, while the tasks on the hub go on; the outage is told once when it
//! starts and once when it ends.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Runner;
use crate::error::{Error, Result};
use crate::job::Job;
use crate::notice::Notice;
use crate::state::JobState;
use crate::store::Change;

/// How long an outage is waited out when the poll policy has no deadline.
pub(super) const PATIENCE: Duration = Duration::from_secs(30 * 60);

/// The first wait after a failed call, doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// When the journal went out of reach, while it is.
#[derive(Debug, Default)]
pub(crate) struct Outage(Mutex<Option<Instant>>);

/// The backoff of one call tried again.
pub(crate) struct Backoff(Duration);

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff(FIRST_BACKOFF)
    }

    /// Sleeps the next wait, with jitter.
    async fn sleep(&mut self) {
        tokio::time::sleep(self.0.mul_f64(0.5 + fastrand::f64())).await;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
    }
}

impl Runner {
    /// How long an outage is waited out: the poll policy's deadline.
    pub(crate) fn patience(&self) -> Duration {
        self.poll.get_deadline().unwrap_or(PATIENCE)
    }

    /// Makes `call` again while it fails with an outage ([`Error::is_outage`]), with
    /// backoff, until it succeeds or fails otherwise, the outage lasts past the run's
    /// patience, or an immediate stop is asked for.
    pub(crate) async fn persist<T, F, Fut>(&self, mut call: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut backoff = Backoff::new();
        loop {
            match call().await {
                Err(error) if error.is_outage() => self.wait_out(error, &mut backoff).await?,
                Ok(done) => {
                    self.outage_over();
                    return Ok(done);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// [`Journal::transition`](crate::Journal) of job `id` as this runner, made again
    /// through an outage. A write whose answer the outage cut off may have been committed:
    /// when the next try finds the job already moved to `change.state` by this runner, that
    /// was it.
    pub(crate) async fn transition(
        &self,
        id: &str,
        from: &[JobState],
        change: Change,
    ) -> Result<Job> {
        let mut backoff = Backoff::new();
        let mut cut_off = false;
        loop {
            let moved = self
                .journal
                .transition(id, &self.owner, from, change.clone())
                .await;
            match moved {
                Err(error) if error.is_outage() => {
                    cut_off = true;
                    self.wait_out(error, &mut backoff).await?;
                }
                Err(refused @ Error::WrongState { .. }) if cut_off => {
                    let job = self.persist(|| self.journal.job(id)).await?;
                    let mine = job.owner.as_deref() == Some(self.owner.as_str());
                    return if mine && job.state == change.state {
                        Ok(job)
                    } else {
                        Err(refused)
                    };
                }
                Ok(job) => {
                    self.outage_over();
                    return Ok(job);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Tells of the outage `error` when it is new, then sleeps the backoff; the error
    /// itself when the outage has lasted past the patience or an immediate stop is asked.
    pub(crate) async fn wait_out(&self, error: Error, backoff: &mut Backoff) -> Result<()> {
        let since = self.outage_began(&error);
        if since.elapsed() >= self.patience() || self.stop.is_immediate() {
            return Err(error);
        }
        tokio::select! {
            () = backoff.sleep() => Ok(()),
            () = self.stop.immediate() => Err(error),
        }
    }

    /// When the current outage began: now, told, when `error` starts one.
    pub(crate) fn outage_began(&self, error: &Error) -> Instant {
        let mut since = self.outage.0.lock().unwrap_or_else(|p| p.into_inner());
        *since.get_or_insert_with(|| {
            self.notices.tell(Notice::JournalUnreachable {
                error: error.to_string(),
                patience: self.patience(),
            });
            Instant::now()
        })
    }

    /// A call to the journal succeeded: an outage under way is over, and told so.
    pub(crate) fn outage_over(&self) {
        let began = self
            .outage
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(began) = began {
            self.notices.tell(Notice::JournalBack {
                after: began.elapsed(),
            });
        }
    }
}
