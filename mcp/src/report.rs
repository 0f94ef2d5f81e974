//! What the tools answer, as structured content with a JSON Schema each.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, Resource};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use videohub::Destination;
use videohub_journal::{Job, JobState};

use videohub_app::Live;

/// A tool error: the message, `isError: true`.
pub(crate) fn refused(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

/// A structured answer, with its JSON as text for clients that read only text.
pub(crate) fn answer(value: &impl Serialize) -> Result<CallToolResult, ErrorData> {
    let value = serde_json::to_value(value)
        .map_err(|e| ErrorData::internal_error(format!("cannot write the answer: {e}"), None))?;
    Ok(CallToolResult::structured(value))
}

/// A job's answer: structured, plus a `resource_link` to its file once downloaded.
pub(crate) fn job_answer(report: &JobReport) -> Result<CallToolResult, ErrorData> {
    let mut result = answer(report)?;
    result.content.extend(report.link());
    Ok(result)
}

/// A job: where it stands, and its file once downloaded.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct JobReport {
    /// The journal's id of the job: pass it to `get_job`.
    pub job_id: String,
    /// pending, submitting, submitted, completed, downloaded, failed, timeout, cancelled,
    /// or outcome_unknown.
    pub state: String,
    /// Whether the state is final: nothing more happens to the job.
    pub finished: bool,
    /// The model id.
    pub model: String,
    /// The hub's task id, once submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The hub's status of the task at its last poll, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_status: Option<String>,
    /// How long the task has run (or ran), in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_seconds: Option<f64>,
    /// How long this model's tasks usually take, in seconds, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_seconds: Option<f64>,
    /// The saved file, on this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The saved file as a `file://` URI, or the object's URL (`s3://…`); also a resource
    /// of this server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The file's MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The file's SHA-256, in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Why the job failed, or why it is not progressing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What to do next.
    pub next: String,
}

impl JobReport {
    /// The report of `job`, with what a drive of this process knows of it and a note.
    pub(crate) fn new(
        job: &Job,
        live: Option<&Live>,
        expected: Option<Duration>,
        note: Option<String>,
    ) -> JobReport {
        let running = job.state.is_unfinished();
        let elapsed = match (running, live.and_then(Live::elapsed)) {
            (true, Some(elapsed)) => Some(elapsed),
            _ => job.task_duration,
        };
        let file = job
            .file_path
            .as_deref()
            .filter(|_| job.state == JobState::Downloaded);
        let error = note.or_else(|| job.error.clone());
        JobReport {
            job_id: job.id.clone(),
            state: job.state.to_string(),
            finished: !running,
            model: job.model.clone(),
            task_id: job.task_id.clone(),
            hub_status: live.filter(|_| running).and_then(|l| l.status.clone()),
            elapsed_seconds: elapsed.map(seconds),
            expected_seconds: expected.map(seconds),
            path: file.map(|p| p.display().to_string()),
            uri: file.and_then(file_uri),
            mime_type: file.map(|p| mime_type(p).to_owned()),
            size: file.and(job.file_size),
            sha256: file.and(job.sha256.clone()),
            next: next(job),
            error,
        }
    }

    /// A `resource_link` to the file, once there is one.
    pub(crate) fn link(&self) -> Option<ContentBlock> {
        let (uri, path) = (self.uri.as_ref()?, self.path.as_ref()?);
        let name = Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let mut resource = Resource::new(uri, name)
            .with_title(format!("{} ({})", self.model, self.job_id))
            .with_mime_type(self.mime_type.clone().unwrap_or_default());
        if let Some(size) = self.size {
            resource = resource.with_size(size);
        }
        Some(ContentBlock::resource_link(resource))
    }
}

/// What an agent should do after seeing `job`.
fn next(job: &Job) -> String {
    match job.state {
        JobState::Downloaded => "done: the file is at `path` (`uri`)".to_owned(),
        JobState::OutcomeUnknown => format!(
            "the submit may or may not have created a task at the hub, billed if it completes; it is not sent again unless asked: retry_job with job_id `{}` and force: true asks the user, and sends it again once they confirm",
            job.id
        ),
        JobState::Failed | JobState::Timeout | JobState::Cancelled => format!(
            "the job ended without a file: read `error`; retry_job with job_id `{}` sends it again",
            job.id
        ),
        _ => format!(
            "not finished: call get_job with job_id `{}` to keep waiting",
            job.id
        ),
    }
}

/// A model, as `list_models` lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct ModelEntry {
    /// The model id, for `describe_model` and `generate`.
    pub id: String,
    /// The display name.
    pub name: String,
    /// Who makes it.
    pub vendor: String,
    /// What it makes from what, e.g. text-to-video or image-to-video.
    pub category: String,
    /// What it generates: video, image, audio, transcription.
    pub capability: String,
    /// Whether videohub compiles it (checked at compile time as well); otherwise it is the
    /// live hub's and checked against the hub's schema.
    pub compiled: bool,
    /// A description.
    pub description: String,
}

impl From<videohub_app::Entry> for ModelEntry {
    fn from(entry: videohub_app::Entry) -> ModelEntry {
        ModelEntry {
            compiled: entry.availability.is_compiled(),
            id: entry.id,
            name: entry.name,
            vendor: entry.vendor,
            category: entry.category,
            capability: entry.capability,
            description: entry.description,
        }
    }
}

/// The answer of `list_models`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct ModelList {
    /// The models.
    pub models: Vec<ModelEntry>,
    /// What could not be read from the live hub, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The answer of `describe_model`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct ModelReport {
    /// The model id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// Who makes it.
    pub vendor: String,
    /// What it makes from what.
    pub category: String,
    /// What it generates.
    pub capability: String,
    /// Whether videohub compiles it.
    pub compiled: bool,
    /// A description.
    pub description: String,
    /// The JSON Schema of `generate`'s `input` for this model: types, allowed values
    /// (`enum`), ranges, defaults, `required`, mutual exclusions (`oneOf`/`not` under
    /// `allOf`) and image counts (`minItems`/`maxItems` of the image list).
    #[schemars(with = "Map<String, Value>")]
    pub input_schema: Value,
    /// An input that passes validation.
    pub example: Map<String, Value>,
}

/// One generation of the journal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct HistoryEntry {
    /// The job id.
    pub job_id: String,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// The model id.
    pub model: String,
    /// Its state.
    pub state: String,
    /// The prompt, when the input has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The whole input.
    pub input: Map<String, Value>,
    /// The hub's task id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// How long the task ran, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_seconds: Option<f64>,
    /// The saved file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The saved file as a `file://` URI, or the object's URL (`s3://…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The last error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HistoryEntry {
    pub(crate) fn new(job: &Job) -> HistoryEntry {
        HistoryEntry {
            job_id: job.id.clone(),
            created_at: rfc3339(job.created_at),
            model: job.model.clone(),
            state: job.state.to_string(),
            prompt: job.prompt().map(str::to_owned),
            input: job.input.clone(),
            task_id: job.task_id.clone(),
            task_seconds: job.task_duration.map(seconds),
            path: job.file_path.as_ref().map(|p| p.display().to_string()),
            uri: job.file_path.as_deref().and_then(file_uri),
            error: job.error.clone(),
        }
    }
}

/// The answer of `search_history`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct HistoryReport {
    /// The jobs, newest first.
    pub jobs: Vec<HistoryEntry>,
}

fn seconds(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 10.0).round() / 10.0
}

pub(crate) fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The URI of a saved file: `file:///…` for an absolute path, the object's own URL
/// (`s3://bucket/key`) for an object.
pub(crate) fn file_uri(path: &Path) -> Option<String> {
    match Destination::parse(path) {
        Ok(Destination::Object(url)) => Some(url.to_string()),
        _ => url::Url::from_file_path(path).ok().map(String::from),
    }
}

/// The MIME type of a generated file, from its extension.
pub(crate) fn mime_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_types() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(mime_type(Path::new("/a/fox.MP4")), "video/mp4");
        assert_eq!(mime_type(Path::new("/a/fox.png")), "image/png");
        assert_eq!(
            file_uri(Path::new("/a b/fox.mp4")).as_deref(),
            Some("file:///a%20b/fox.mp4")
        );
        assert_eq!(
            file_uri(Path::new("s3://renders/fleet/fox.mp4")).as_deref(),
            Some("s3://renders/fleet/fox.mp4")
        );
    }
}
