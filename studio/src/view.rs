//! A job as the page shows it: the journal's record, where its video is, what is wrong
//! with it, and how far a running one got.

use std::time::Duration;

use serde::Serialize;
use videohub::{Capability, Media};
use videohub_app::Live;
use videohub_journal::{Job, JobState};

/// How far a job this studio drives has got, as the page shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct LiveView {
    /// The step: `submitting`, `submitted`, `running`, `downloading`, the final state once
    /// the drive ended, or `stopped` when it stopped short of a final state (see `error`).
    pub step: String,
    /// The hub's status of the task at the last poll.
    pub status: Option<String>,
    /// How long the task has run, in seconds.
    pub elapsed: f64,
    /// How long the model's tasks usually take, in seconds, when known.
    pub expected: Option<f64>,
    /// How many polls were made.
    pub polls: u32,
    /// Why the job stopped short, when it did.
    pub error: Option<String>,
}

impl LiveView {
    /// The page's view of a drive of `job`, whose model's tasks usually take `expected`.
    pub(crate) fn new(job: &Job, live: &Live, expected: Option<Duration>) -> LiveView {
        let step = match (&live.stopped, live.status.as_deref()) {
            (Some(_), _) => "stopped".to_owned(),
            _ if live.done => job.state.to_string(),
            _ if live.submitting => "submitting".to_owned(),
            (None, Some(step @ ("submitted" | "downloading"))) => step.to_owned(),
            (None, Some(_)) => "running".to_owned(),
            (None, None) => "submitting".to_owned(),
        };
        LiveView {
            status: live.status.clone().filter(|_| step == "running"),
            step,
            elapsed: live.elapsed().unwrap_or_default().as_secs_f64(),
            expected: expected.map(|d| d.as_secs_f64()),
            polls: live.polls,
            error: live.stopped.clone(),
        }
    }
}

/// One card of the gallery.
#[derive(Debug, Serialize)]
pub(crate) struct JobView<'a> {
    #[serde(flatten)]
    pub job: &'a Job,
    /// The prompt, or the shots' prompts joined.
    pub prompt: Option<String>,
    /// Where the page plays the video (or shows the image) from, when it can.
    pub video_url: Option<String>,
    /// The kind of the job's file (`video`, `image`), from its endpoint.
    pub media: Option<Media>,
    /// What is wrong with the job or its video, in one sentence.
    pub problem: Option<String>,
    /// Whether the job is still being worked on (by this studio).
    pub running: bool,
    /// Whether the studio can take the unfinished job up again (`POST
    /// /api/jobs/{id}/resume`).
    pub resumable: bool,
    /// Progress of a job this studio drives.
    pub live: Option<LiveView>,
}

impl<'a> JobView<'a> {
    /// The card of `job` of hub `hub`, with the drive of this studio when there is one.
    pub(crate) fn new(job: &'a Job, hub: &str, live: Option<LiveView>) -> JobView<'a> {
        let running = job.state.is_unfinished()
            && live
                .as_ref()
                .is_some_and(|l| l.step != "stopped" && l.error.is_none());
        let resumable = job.state.is_unfinished()
            && !running
            && job.hub == hub
            && job.owner.is_none()
            && job.state != JobState::OutcomeUnknown;
        let (video_url, problem) = video_of(job, running, live.as_ref());
        JobView {
            job,
            prompt: prompt_of(job),
            video_url,
            media: Capability::from_endpoint(&job.endpoint).and_then(Capability::output),
            problem,
            running,
            resumable,
            live,
        }
    }
}

/// The prompt, or for multi-shot requests the shots' prompts.
fn prompt_of(job: &Job) -> Option<String> {
    if let Some(prompt) = job.prompt() {
        return Some(prompt.to_owned());
    }
    let shots = job.input.get("multi_prompt")?.as_array()?;
    let prompts: Vec<&str> = shots
        .iter()
        .filter_map(|s| s.get("prompt").and_then(|p| p.as_str()))
        .collect();
    (!prompts.is_empty()).then(|| prompts.join(" / "))
}

/// Whether `path` names an object (played from its store, with the `object-store` feature).
fn is_object(path: &std::path::Path) -> bool {
    cfg!(feature = "object-store")
        && matches!(
            videohub::Destination::parse(path),
            Ok(videohub::Destination::Object(_))
        )
}

/// The video's address, or what keeps the page from playing it.
pub(crate) fn video_of(
    job: &Job,
    running: bool,
    live: Option<&LiveView>,
) -> (Option<String>, Option<String>) {
    let resume = "resume finishes it";
    let error = job.error.clone();
    match job.state {
        JobState::Downloaded => match &job.file_path {
            Some(path) if path.is_file() || is_object(path) => {
                (Some(format!("/api/jobs/{}/video", job.id)), None)
            }
            Some(path) if path.exists() => (
                None,
                Some(format!(
                    "the video's path {} is not a file any more",
                    path.display()
                )),
            ),
            Some(path) => (
                None,
                Some(format!(
                    "the video file {} is gone: it was deleted or moved",
                    path.display()
                )),
            ),
            None => (None, Some("the journal records no video file".into())),
        },
        _ if running => (None, None),
        JobState::Failed | JobState::Timeout | JobState::Cancelled => (
            None,
            Some(error.unwrap_or_else(|| format!("the task {}", job.state))),
        ),
        JobState::OutcomeUnknown => (
            None,
            Some(format!(
                "{}; the task may exist: check the hub before sending it again",
                error.unwrap_or_else(|| "the submit's outcome is unknown".into()),
            )),
        ),
        JobState::Completed => (
            None,
            Some(format!(
                "the video is ready on the hub but not downloaded{}; {resume}",
                stopped(error, live)
            )),
        ),
        _ if job.owner.is_some() => (None, Some("another process is working on it".into())),
        _ => (
            None,
            Some(format!("unfinished{}; {resume}", stopped(error, live))),
        ),
    }
}

fn stopped(error: Option<String>, live: Option<&LiveView>) -> String {
    live.and_then(|l| l.error.clone())
        .or(error)
        .map(|e| format!(": {e}"))
        .unwrap_or_default()
}
