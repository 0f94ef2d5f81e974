//! The workers of a batch in this process: each claims the next free job and drives it,
//! until every job of the batch is final, has stopped short here, or is driven by another
//! worker; none claims while the run is stopping or while the folder's disk fails.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::LineEnd;
use crate::error::Error;
use crate::notice::Notice;
use crate::run::Runner;

/// How long a worker with nothing to claim waits before looking again, while jobs of the
/// batch are held by other workers.
const IDLE: Duration = Duration::from_millis(500);

/// The first pause of claims after the folder's disk failed, doubled after each failure up
/// to [`MAX_DISK_PAUSE`].
const FIRST_DISK_PAUSE: Duration = Duration::from_secs(5);
const MAX_DISK_PAUSE: Duration = Duration::from_secs(60);

/// How long the other workers wait while one tries the folder after a pause.
const TRYING: Duration = Duration::from_secs(1);

/// What the workers of one batch run share.
pub(super) struct Shared {
    pub(super) batch: String,
    /// The folder the run puts files in.
    pub(super) folder: PathBuf,
    sender: mpsc::Sender<LineEnd>,
    /// The jobs this process drives, or gave up on: its claims skip them.
    held: Mutex<Vec<String>>,
    disk: Mutex<Disk>,
    /// Whether a worker gave up on the folder's disk (and said so).
    gave_up: AtomicBool,
}

/// The folder's disk, as the downloads found it.
#[derive(Default)]
struct Disk {
    /// Since when it fails, and why, while it does.
    failing: Option<(Instant, String)>,
    /// No claim before this.
    paused_until: Option<Instant>,
    pause: Duration,
}

/// Whether a worker may claim.
enum Gate {
    Claim,
    Wait(Duration),
    /// The disk has failed for longer than the run's patience.
    GiveUp(String),
}

impl Shared {
    pub(super) fn new(batch: String, folder: PathBuf, sender: mpsc::Sender<LineEnd>) -> Shared {
        Shared {
            batch,
            folder,
            sender,
            held: Mutex::default(),
            disk: Mutex::default(),
            gave_up: AtomicBool::new(false),
        }
    }

    /// Hands a line's end to the stream, once its reader has room for it; `false` once
    /// nobody reads it.
    pub(super) async fn send(&self, end: LineEnd) -> bool {
        self.sender.send(end).await.is_ok()
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn disk(&self) -> std::sync::MutexGuard<'_, Disk> {
        self.disk.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A download found that the folder's disk cannot take files (`error`): claims pause,
    /// unless they already do (the other downloads under way meet the same failure).
    fn disk_failed(&self, runner: &Runner, error: String) {
        let mut disk = self.disk();
        if disk
            .paused_until
            .is_some_and(|until| until > Instant::now())
        {
            return;
        }
        self.pause(&mut disk, runner, error);
    }

    /// Pauses claims for twice as long as the last time (from 5 s up to a minute), and says
    /// why.
    fn pause(&self, disk: &mut Disk, runner: &Runner, error: String) {
        let now = Instant::now();
        disk.pause = (disk.pause * 2).clamp(FIRST_DISK_PAUSE, MAX_DISK_PAUSE);
        disk.paused_until = Some(now + disk.pause);
        disk.failing.get_or_insert((now, String::new())).1 = error.clone();
        runner.notices.tell(Notice::DiskFailing {
            folder: self.folder.clone(),
            error,
            pause: disk.pause,
        });
    }

    /// Whether a worker may claim now. Once a pause is over, one worker tries the folder
    /// (the others wait meanwhile): claims go on when it takes a file, else pause again.
    async fn gate(&self, runner: &Runner) -> Gate {
        let since = {
            let mut disk = self.disk();
            let Some((since, _)) = disk.failing else {
                return Gate::Claim;
            };
            let now = Instant::now();
            if let Some(wait) = disk
                .paused_until
                .and_then(|u| u.checked_duration_since(now))
            {
                return Gate::Wait(wait);
            }
            disk.paused_until = Some(now + TRYING);
            since
        };
        match try_folder(&self.folder).await {
            Ok(()) => {
                *self.disk() = Disk::default();
                runner.notices.tell(Notice::DiskBack {
                    folder: self.folder.clone(),
                });
                Gate::Claim
            }
            Err(error) if since.elapsed() >= runner.patience() => Gate::GiveUp(format!(
                "{error}, for {}: the lines left are for other workers or a later run",
                humantime::format_duration(Duration::from_secs(since.elapsed().as_secs()))
            )),
            Err(error) => {
                self.pause(&mut self.disk(), runner, error.to_string());
                Gate::Wait(Duration::ZERO)
            }
        }
    }
}

/// Proves the folder takes a file again: writes a part file of 1 MiB, synced, then removes
/// it.
async fn try_folder(folder: &Path) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let part = videohub::__private::create_part_file(folder.join("videohub-disk-check"))
        .map_err(std::io::Error::other)?;
    let written = async {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&part)
            .await?;
        file.write_all(&vec![0; 1 << 20]).await?;
        // The write is only handed over above: its failure comes with the flush.
        file.flush().await?;
        file.sync_all().await
    }
    .await;
    crate::store::remove_file(&part);
    written
}

/// One worker: claims the next free job of the batch and drives it, until every job of the
/// batch is final, has stopped short here, or is driven by another worker of this process,
/// or the run is stopped.
pub(super) async fn work(runner: &Runner, shared: &Shared) {
    let journal = runner.journal();
    let stop = runner.stop();
    while !stop.is_requested() {
        match shared.gate(runner).await {
            Gate::Claim => {}
            Gate::Wait(wait) => {
                match open_jobs(runner, shared).await {
                    Ok(true) => pause(runner, wait.min(IDLE)).await,
                    Ok(false) => return,
                    Err(error) => {
                        shared.send(LineEnd::Stopped(error)).await;
                        return;
                    }
                }
                continue;
            }
            Gate::GiveUp(reason) => {
                if !shared.gave_up.swap(true, Ordering::Relaxed) {
                    shared
                        .send(LineEnd::Stopped(Error::Destination {
                            dir: shared.folder.clone(),
                            message: reason,
                        }))
                        .await;
                }
                return;
            }
        }
        let skip = shared.held().clone();
        let claimed = runner
            .persist(|| journal.claim_next(&shared.batch, &skip, runner.owner(), &shared.folder))
            .await;
        let job = match claimed {
            Ok(Some(job)) => job,
            Ok(None) => {
                match open_jobs(runner, shared).await {
                    Ok(true) => pause(runner, IDLE).await,
                    Ok(false) => return,
                    Err(error) => {
                        shared.send(LineEnd::Stopped(error)).await;
                        return;
                    }
                }
                continue;
            }
            Err(error) => {
                shared.send(LineEnd::Stopped(error)).await;
                return;
            }
        };
        // Skipped by this process's claims from now: the job is released when `drive`
        // returns, and one that stopped short must not be claimed again before it is known
        // to have.
        let id = job.id.clone();
        shared.held().push(id.clone());
        let end = match runner.drive_in(job, Some(&shared.batch), |_| {}).await {
            Ok(job) => Some(LineEnd::Final(job)),
            // Another worker drives it, or any worker may take it again: the disk of this
            // one failed, and it takes no new job for a while.
            Err(Error::LeaseLost { .. }) => None,
            Err(error) => match error.disk_failure() {
                Some((_, message)) => {
                    shared.disk_failed(runner, message);
                    None
                }
                None => Some(LineEnd::Stopped(error)),
            },
        };
        if !matches!(end, Some(LineEnd::Stopped(_))) {
            shared.held().retain(|held| *held != id);
        }
        if let Some(end) = end
            && !shared.send(end).await
        {
            return;
        }
    }
}

/// Whether the batch still has unfinished jobs that this process does not drive or gave up
/// on (free, or held by another process: that process may die), after letting go of the
/// jobs of this host's gone processes.
async fn open_jobs(runner: &Runner, shared: &Shared) -> crate::Result<bool> {
    let journal = runner.journal();
    runner.persist(|| journal.release_gone_owners()).await?;
    let skip = shared.held().clone();
    runner
        .persist(|| journal.batch_has_open_jobs(&shared.batch, &skip, runner.owner()))
        .await
}

/// Sleeps `wait`, or less when the run is stopped.
async fn pause(runner: &Runner, wait: Duration) {
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        () = runner.stop().requested() => {}
    }
}
