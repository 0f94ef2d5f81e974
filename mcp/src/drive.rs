//! The jobs this server drives, one task each, and waiting on a job for a bounded time.
//!
//! A job is driven by at most one task of this process (a second `get_job` for it follows
//! the first's task), and by at most one process (the journal's lease): a job another
//! process holds is followed through the journal instead.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::AbortHandle;
use videohub_journal::{Error, Job, JobState, Runner, Step};

/// How often a wait looks at a job another process drives.
pub(crate) const JOURNAL_POLL: Duration = Duration::from_secs(1);

/// How long [`Drives::stop`] lets a submit in flight get its answer recorded.
const SUBMIT_GRACE: Duration = Duration::from_secs(15);

/// Where a job driven here stands, as its steps report it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Live {
    /// The hub's status of the task at its last poll (`pending`, `processing`, …), or the
    /// step after it (`downloading`).
    pub status: Option<String>,
    /// The task's age as the hub reported it, and when.
    pub age: Option<(Instant, Duration)>,
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
    pub(crate) fn elapsed(&self) -> Option<Duration> {
        self.age.map(|(at, age)| age + at.elapsed())
    }
}

/// What a wait could follow of a job.
pub(crate) enum Follow {
    /// The job is final.
    Final,
    /// The job belongs to another hub than this server's: it is not driven here.
    OtherHub(String),
    /// The job's hub ended with the process that started it (an in-process sandbox).
    HubGone,
    /// A task of this process drives it.
    Here(watch::Receiver<Live>),
}

/// The drives of this process.
#[derive(Debug)]
pub(crate) struct Drives {
    runner: Runner,
    hub: String,
    live: Mutex<HashMap<String, (watch::Receiver<Live>, AbortHandle)>>,
    /// When the hub lives in this process only: the jobs recorded by this process, the only
    /// ones it can continue.
    mine: Option<Mutex<HashSet<String>>>,
}

impl Drives {
    /// Drives for `hub`; `in_process` when the hub ends with this process (its jobs
    /// recorded by other processes cannot be continued).
    pub(crate) fn new(runner: Runner, hub: String, in_process: bool) -> Drives {
        Drives {
            runner,
            hub,
            live: Mutex::default(),
            mine: in_process.then(Mutex::default),
        }
    }

    /// Notes that this process recorded (or made pending again) job `id`.
    pub(crate) fn adopt(&self, id: &str) {
        if let Some(mine) = &self.mine {
            mine.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.to_owned());
        }
    }

    pub(crate) fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The hub's name in the journal.
    pub(crate) fn hub(&self) -> &str {
        &self.hub
    }

    fn live(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (watch::Receiver<Live>, AbortHandle)>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Follows `job`: the task of this process that drives it, or a new one that takes it
    /// over (as `videohub jobs resume` does: a pending job is sent, a submitted one polled,
    /// a completed one downloaded; one whose submit was cut off becomes
    /// `outcome_unknown`).
    pub(crate) fn follow(self: &Arc<Self>, job: &Job) -> Follow {
        if !job.state.is_unfinished() {
            return Follow::Final;
        }
        if job.hub != self.hub {
            return Follow::OtherHub(job.hub.clone());
        }
        if let Some(mine) = &self.mine
            && !mine
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&job.id)
        {
            return Follow::HubGone;
        }
        let mut live = self.live();
        if let Some((receiver, _)) = live.get(&job.id) {
            return Follow::Here(receiver.clone());
        }
        let (sender, receiver) = watch::channel(Live::default());
        let drives = self.clone();
        let id = job.id.clone();
        let task = tokio::spawn(async move {
            let outcome = drives
                .runner
                .resume(&id, |step| report(&sender, &step))
                .await;
            // Out of the map first: a wait that sees `done` finds the journal final.
            drives.live().remove(&id);
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
        });
        live.insert(job.id.clone(), (receiver.clone(), task.abort_handle()));
        Follow::Here(receiver)
    }

    /// Stops every drive of this process, once no submit is in flight (or after a grace
    /// period), and gives their jobs up for another process to continue.
    pub(crate) async fn stop(&self) {
        let started = Instant::now();
        while started.elapsed() < SUBMIT_GRACE
            && self
                .live()
                .values()
                .any(|(live, _)| live.borrow().submitting)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let drives: Vec<(String, AbortHandle)> = self
            .live()
            .drain()
            .map(|(id, (_, task))| (id, task))
            .collect();
        for (id, task) in drives {
            task.abort();
            if let Err(error) = self.runner.release(&id).await {
                tracing::warn!(job = %id, %error, "could not give the job up");
            }
        }
    }
}

/// Records a step of a drive for the waits that follow it.
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
            live.status = Some(update.status().to_string());
            live.age = Some((Instant::now(), update.elapsed()));
        }
        Step::Downloading { .. } => live.status = Some("downloading".into()),
        _ => {}
    });
}

/// Whether a wait for `job` may end: past the deadline, once no submit of it is waiting
/// for its answer (a call returns the task id, or what became of the submit).
pub(crate) fn may_return(job: &Job, live: Option<&Live>, deadline: Instant) -> bool {
    let sending = job.state == JobState::Pending && live.is_some_and(|l| !l.done && !l.busy)
        || job.state == JobState::Submitting && live.is_some_and(|l| l.submitting);
    Instant::now() >= deadline && !sending
}
