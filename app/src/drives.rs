//! The jobs a long-running front-end (the studio, the MCP server) drives in the background,
//! one task each, and how far each got.
//!
//! A job is driven by at most one task of this process (a second look at it follows the
//! first's task), and by at most one process (the journal's lease): a job another process
//! holds is followed through the journal instead.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::AbortHandle;
use videohub_journal::{Error, Job, Runner, Step};

/// How long [`Drives::stop`] lets a submit in flight get its answer recorded.
const SUBMIT_GRACE: Duration = Duration::from_secs(15);

/// Where a job driven here stands, as its steps report it.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The hub's status of the task at its last poll (`pending`, `processing`, …), or the
    /// step after it (`submitted`, `downloading`).
    pub status: Option<String>,
    /// The task's age as the hub reported it, and when.
    pub age: Option<(Instant, Duration)>,
    /// How many polls were made.
    pub polls: u32,
    /// Its submit is being sent.
    pub submitting: bool,
    /// The drive ended: the job is final, or stopped short with `stopped`.
    pub done: bool,
    /// Why the drive stopped short of a final state (the job stays unfinished).
    pub stopped: Option<String>,
    /// Another process holds the job.
    pub busy: bool,
}

impl Live {
    /// The task's running time now, as the hub counts it.
    pub fn elapsed(&self) -> Option<Duration> {
        self.age.map(|(at, age)| age + at.elapsed())
    }
}

/// What can be followed of a job.
#[derive(Debug)]
pub enum Follow {
    /// The job is final.
    Final,
    /// The job belongs to another hub than this process's: it is not driven here.
    OtherHub(String),
    /// The job's hub ended with the process that started it (an in-process sandbox).
    HubGone,
    /// A task of this process drives it.
    Here(watch::Receiver<Live>),
}

/// The latest drive of one job: its progress, and its task while it runs.
#[derive(Debug)]
struct Drive {
    live: watch::Receiver<Live>,
    task: Option<AbortHandle>,
}

/// The drives of this process.
#[derive(Debug)]
pub struct Drives {
    runner: Runner,
    hub: String,
    drives: Mutex<HashMap<String, Drive>>,
    /// When the hub lives in this process only: the jobs recorded by this process, the only
    /// ones it can continue.
    mine: Option<Mutex<HashSet<String>>>,
}

impl Drives {
    /// Drives for `hub` (its name in the journal); `in_process` when the hub ends with
    /// this process (its jobs recorded by other processes cannot be continued).
    pub fn new(runner: Runner, hub: String, in_process: bool) -> Drives {
        Drives {
            runner,
            hub,
            drives: Mutex::default(),
            mine: in_process.then(Mutex::default),
        }
    }

    /// Notes that this process recorded (or made pending again) job `id`.
    pub fn adopt(&self, id: &str) {
        if let Some(mine) = &self.mine {
            lock(mine).insert(id.to_owned());
        }
    }

    /// The runner the jobs go through.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The hub's name in the journal.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// Where the latest drive of job `id` in this process stands (the last state of one
    /// that ended), or `None` when this process never drove it.
    pub fn last(&self, id: &str) -> Option<Live> {
        lock(&self.drives)
            .get(id)
            .map(|drive| drive.live.borrow().clone())
    }

    /// Follows `job`: the task of this process that drives it, or a new one that takes it
    /// over (as `videohub jobs resume` does: a pending job is sent, a submitted one polled,
    /// a completed one downloaded; one whose submit was cut off becomes
    /// `outcome_unknown`).
    pub fn follow(self: &Arc<Self>, job: &Job) -> Follow {
        if !job.state.is_unfinished() {
            return Follow::Final;
        }
        if job.hub != self.hub {
            return Follow::OtherHub(job.hub.clone());
        }
        if let Some(mine) = &self.mine
            && !lock(mine).contains(&job.id)
        {
            return Follow::HubGone;
        }
        let mut drives = lock(&self.drives);
        if let Some(drive) = drives.get(&job.id)
            && drive.task.is_some()
        {
            return Follow::Here(drive.live.clone());
        }
        let (sender, receiver) = watch::channel(Live::default());
        let this = self.clone();
        let id = job.id.clone();
        let task = tokio::spawn(async move {
            let outcome = this.runner.resume(&id, |step| report(&sender, &step)).await;
            // Ended under the lock: a look after this starts a new drive.
            let mut drives = lock(&this.drives);
            sender.send_modify(|live| {
                live.done = true;
                live.submitting = false;
                match outcome {
                    Ok(_) => {}
                    Err(Error::Busy { owner, .. }) => {
                        live.busy = true;
                        live.stopped = Some(format!("another process ({owner}) is working on it"));
                    }
                    Err(error) => live.stopped = Some(error.to_string()),
                }
            });
            if let Some(drive) = drives.get_mut(&id) {
                drive.task = None;
            }
        });
        drives.insert(
            job.id.clone(),
            Drive {
                live: receiver.clone(),
                task: Some(task.abort_handle()),
            },
        );
        Follow::Here(receiver)
    }

    /// Stops every drive of this process, and gives their jobs up for another process to
    /// continue, as the runner's [`Stop`](videohub_journal::Stop) says: when a graceful stop
    /// was asked for, the drives waiting are let go at once and downloads under way go on
    /// until they end or an immediate stop is asked for; otherwise every drive is stopped
    /// at once. A submit in flight gets its answer recorded first (or a grace period).
    pub async fn stop(&self) {
        let stop = self.runner.stop();
        if !stop.is_requested() {
            stop.immediately();
        }
        tokio::select! {
            () = self.ended() => {}
            () = stop.immediate() => {
                // The drives let their jobs go themselves once their submit is recorded.
                let _ = tokio::time::timeout(SUBMIT_GRACE, self.ended()).await;
            }
        }
        self.let_go_of(|_| true).await;
    }

    /// Once no drive of this process runs.
    async fn ended(&self) {
        while lock(&self.drives)
            .values()
            .any(|drive| drive.task.is_some())
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops driving job `id` in this process, once its submit in flight (if any) has its
    /// answer recorded (or after a grace period), and gives it up: its journal state stays
    /// as it is, for a later look or another process to continue. The hub's task, if any,
    /// goes on.
    pub async fn let_go(&self, id: &str) {
        self.let_go_of(|job| job == id).await;
    }

    /// Stops the drives of the jobs `which` picks, as [`Drives::let_go`] says.
    async fn let_go_of(&self, which: impl Fn(&str) -> bool) {
        let started = Instant::now();
        while started.elapsed() < SUBMIT_GRACE
            && lock(&self.drives).iter().any(|(id, drive)| {
                which(id) && drive.task.is_some() && drive.live.borrow().submitting
            })
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let running: Vec<(String, AbortHandle)> = lock(&self.drives)
            .iter_mut()
            .filter(|(id, _)| which(id))
            .filter_map(|(id, drive)| drive.task.take().map(|task| (id.clone(), task)))
            .collect();
        for (id, task) in running {
            task.abort();
            if let Err(error) = self.runner.release(&id).await {
                tracing::warn!(job = %id, %error, "could not give the job up");
            }
        }
    }
}

/// The guarded value, even after a panic elsewhere (the maps stay consistent: every
/// change is one insert or remove).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records a step of a drive for those who follow it.
fn report(sender: &watch::Sender<Live>, step: &Step<'_>) {
    sender.send_modify(|live| match step {
        Step::Submitting(_) => live.submitting = true,
        Step::Submitted(_) => {
            live.submitting = false;
            live.status = Some("submitted".into());
            live.age = Some((Instant::now(), Duration::ZERO));
        }
        Step::Polled(update) => {
            live.submitting = false;
            live.polls = update.polls;
            live.status = Some(update.status().to_string());
            live.age = Some((Instant::now(), update.elapsed()));
        }
        Step::Downloading { .. } => live.status = Some("downloading".into()),
        _ => {}
    });
}
