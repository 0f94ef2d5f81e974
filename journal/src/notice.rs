//! What a runner tells while it works that is no job's outcome: the journal out of reach
//! and back, a disk that cannot take files, a job another process took over.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Something a [`Runner`](crate::Runner) tells while it works (see
/// [`Runner::on_notice`](crate::Runner::on_notice)); each is also logged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// The journal cannot be reached (its server down or restarting, its file locked):
    /// every change is tried again, with backoff, for up to `patience`, while the tasks on
    /// the hub go on.
    JournalUnreachable {
        /// Why, as the journal's error says it.
        error: String,
        /// How long the runner waits for it.
        patience: Duration,
    },
    /// The journal can be reached again, after `after`.
    JournalBack {
        /// How long it was out of reach.
        after: Duration,
    },
    /// The disk of `folder` cannot take files: the runner takes no new job for `pause`
    /// (then tries the folder again), leaving the lines to workers that can write.
    DiskFailing {
        /// The folder.
        folder: PathBuf,
        /// What the system said.
        error: String,
        /// How long no new job is taken.
        pause: Duration,
    },
    /// The disk of `folder` takes files again: the runner takes jobs again.
    DiskBack {
        /// The folder.
        folder: PathBuf,
    },
    /// Another process took job `job` over (this one's lease ran out while it could not
    /// renew it): this process stopped driving it.
    TakenOver {
        /// The job id.
        job: String,
        /// The process holding it now, if any.
        owner: Option<String>,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::JournalUnreachable { error, patience } => write!(
                f,
                "{error}; waiting for it (up to {}) while the tasks on the hub go on",
                humantime::format_duration(*patience)
            ),
            Notice::JournalBack { after } => write!(
                f,
                "the journal can be reached again, after {}",
                humantime::format_duration(Duration::from_secs(after.as_secs()))
            ),
            Notice::DiskFailing {
                folder,
                error,
                pause,
            } => write!(
                f,
                "cannot write in {} ({error}): taking no new job for {}, the other workers take the lines",
                folder.display(),
                humantime::format_duration(*pause)
            ),
            Notice::DiskBack { folder } => {
                write!(
                    f,
                    "{} takes files again: taking jobs again",
                    folder.display()
                )
            }
            Notice::TakenOver { job, owner } => write!(
                f,
                "job {job} was taken over by {} while this process could not renew its lease; it goes on there",
                owner.as_deref().unwrap_or("another process")
            ),
        }
    }
}

/// A caller's hook for notices.
type Hook = Arc<dyn Fn(&Notice) + Send + Sync>;

/// Where a runner's notices go: a hook of the caller's, and the log.
#[derive(Clone, Default)]
pub(crate) struct Notices(Option<Hook>);

impl Notices {
    pub(crate) fn to(hook: impl Fn(&Notice) + Send + Sync + 'static) -> Notices {
        Notices(Some(Arc::new(hook)))
    }

    /// Logs `notice` and hands it to the hook.
    pub(crate) fn tell(&self, notice: Notice) {
        tracing::warn!(%notice, "videohub journal");
        if let Some(hook) = &self.0 {
            hook(&notice);
        }
    }
}

impl fmt::Debug for Notices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Notices(hook)"
        } else {
            "Notices(log)"
        })
    }
}
