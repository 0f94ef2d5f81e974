//! Where a job stands, as a client is told it: a look at the job (a report when nothing
//! more can be followed here, else the drive to follow) and a line of text for progress
//! notifications and task statuses.

use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use videohub_app::{App, Follow, Live};
use videohub_journal::Job;

use crate::report::JobReport;

/// What a look at a job finds.
pub(crate) enum Look {
    /// Nothing more happens to it here: it is final, or cannot be continued by this
    /// server (its report says why).
    Report(Box<JobReport>),
    /// A drive of this process follows it (started by the look when none did).
    Here(watch::Receiver<Live>),
}

/// Looks at `job`, and drives it unless another process does or nothing more can be done.
pub(crate) fn look(app: &App, job: &Job, expected: Option<Duration>) -> Look {
    let note = match app.follow(job) {
        Follow::Here(receiver) => return Look::Here(receiver),
        Follow::Final => None,
        Follow::OtherHub(hub) => Some(format!(
            "this job belongs to the hub {hub}, not to this server's ({}): a server started for that hub continues it",
            app.hub()
        )),
        Follow::HubGone => Some(
            "this job's hub was an in-process sandbox that ended with the process that started it: nothing can continue it"
                .to_owned(),
        ),
    };
    Look::Report(Box::new(JobReport::new(job, None, expected, note)))
}

/// A job's status line, e.g. `veo-3.1 processing · 42s · about 18s left`.
pub(crate) struct Status {
    /// How long the task has run (since the job was recorded until the hub says).
    pub(crate) elapsed: Duration,
    /// The model's usual duration, once learned.
    pub(crate) expected: Option<Duration>,
    /// The line.
    pub(crate) message: String,
}

impl Status {
    /// The status of `job`, with what a drive of this process knows of it.
    pub(crate) fn of(job: &Job, live: Option<&Live>, expected: Option<Duration>) -> Status {
        let elapsed = live.and_then(Live::elapsed).unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(job.created_at)
                .unwrap_or_default()
        });
        let state = live
            .and_then(|l| l.status.clone())
            .filter(|_| job.state.is_unfinished())
            .unwrap_or_else(|| job.state.to_string());
        let mut message = format!("{} {state} · {}s", job.model, elapsed.as_secs());
        if let Some(expected) = expected {
            message.push_str(&match expected.checked_sub(elapsed) {
                Some(left) if left >= Duration::from_secs(1) => {
                    format!(" · about {}s left", left.as_secs())
                }
                Some(_) => " · any moment now".to_owned(),
                None => " · longer than usual".to_owned(),
            });
        }
        if let Some(why) = live.and_then(|l| l.stopped.as_deref()) {
            message.push_str(&format!(" · {why}"));
        }
        Status {
            elapsed,
            expected,
            message,
        }
    }
}
