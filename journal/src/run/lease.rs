//! A job's lease while a runner drives it, and where the drive stands: what a lost lease
//! and a stop may interrupt.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Runner;
use crate::owner::LEASE;

/// How soon a renewal that failed (the journal out of reach) is tried again.
const RENEW_AGAIN: Duration = Duration::from_secs(2);

/// The lease of a job being driven, renewed every third of a [`LEASE`] until dropped. A
/// renewal that updates no row means another process took the job (or let it go): `lost`
/// fires, and the drive stops at once.
pub(super) struct Held {
    lost: CancellationToken,
    /// Who holds the job now, read when the lease was found lost.
    holder: std::sync::Arc<Mutex<Option<String>>>,
    renewing: tokio::task::JoinHandle<()>,
}

impl Held {
    pub(super) fn start(runner: &Runner, id: &str) -> Held {
        let lost = CancellationToken::new();
        let holder = std::sync::Arc::default();
        let renewing = tokio::spawn(renew(
            runner.clone(),
            id.to_owned(),
            lost.clone(),
            std::sync::Arc::clone(&holder),
        ));
        Held {
            lost,
            holder,
            renewing,
        }
    }

    /// Once the lease is found lost.
    pub(super) async fn lost(&self) {
        self.lost.cancelled().await;
    }

    /// Who holds the job since the lease was lost.
    pub(super) fn holder(&self) -> Option<String> {
        self.holder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.renewing.abort();
    }
}

async fn renew(
    runner: Runner,
    id: String,
    lost: CancellationToken,
    holder: std::sync::Arc<Mutex<Option<String>>>,
) {
    let mut wait = LEASE / 3;
    loop {
        tokio::time::sleep(wait).await;
        match runner.journal.renew(&id, &runner.owner).await {
            Ok(true) => {
                runner.outage_over();
                wait = LEASE / 3;
            }
            Ok(false) => {
                let owner = runner.journal.job(&id).await.ok().and_then(|j| j.owner);
                *holder.lock().unwrap_or_else(|p| p.into_inner()) = owner;
                lost.cancel();
                return;
            }
            Err(error) => {
                tracing::warn!(
                    name: "videohub.lease_renewal_failed",
                    job = %id,
                    %error,
                    "could not renew the job's lease"
                );
                if error.is_outage() {
                    runner.outage_began(&error);
                }
                wait = RENEW_AGAIN;
            }
        }
    }
}

/// Whether a drive is downloading: a graceful stop lets a download under way finish, and
/// interrupts anything else.
#[derive(Debug, Default)]
pub(crate) struct Downloading(AtomicBool);

impl Downloading {
    pub(crate) fn set(&self, downloading: bool) {
        self.0.store(downloading, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl Runner {
    /// Once the stop asked for reaches a drive standing at `downloading`: an immediate
    /// stop at once, a graceful one as soon as the drive is not downloading.
    pub(super) async fn stop_reached(&self, downloading: &Downloading) {
        tokio::select! {
            () = self.stop.immediate() => {}
            () = async {
                self.stop.requested().await;
                while downloading.get() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            } => {}
        }
    }
}
