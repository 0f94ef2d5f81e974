//! A job as the page shows it: the journal's record, where its video is, what is wrong
//! with it, and how far a running one got.

use serde::Serialize;
use videohub::{Capability, Media};
use videohub_journal::{Job, JobState};

/// How far a job this studio drives has got.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Live {
    /// The step: `submitting`, `submitted`, `running`, `downloading`, or `stopped` when the
    /// job stopped short of a final state (see `error`).
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
    /// Progress of a job this studio drives.
    pub live: Option<Live>,
}

impl<'a> JobView<'a> {
    pub(crate) fn new(job: &'a Job, live: Option<Live>) -> JobView<'a> {
        let running = job.state.is_unfinished()
            && live
                .as_ref()
                .is_some_and(|l| l.step != "stopped" && l.error.is_none());
        let (video_url, problem) = video_of(job, running, live.as_ref());
        JobView {
            job,
            prompt: prompt_of(job),
            video_url,
            media: Capability::from_endpoint(&job.endpoint).and_then(Capability::output),
            problem,
            running,
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

/// The video's address, or what keeps the page from playing it.
pub(crate) fn video_of(
    job: &Job,
    running: bool,
    live: Option<&Live>,
) -> (Option<String>, Option<String>) {
    let resume = format!("`videohub jobs resume {}` finishes it", job.id);
    let error = job.error.clone();
    match job.state {
        JobState::Downloaded => match &job.file_path {
            Some(path) if path.is_file() => (Some(format!("/api/jobs/{}/video", job.id)), None),
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

fn stopped(error: Option<String>, live: Option<&Live>) -> String {
    live.and_then(|l| l.error.clone())
        .or(error)
        .map(|e| format!(": {e}"))
        .unwrap_or_default()
}
