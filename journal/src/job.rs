//! A job as the journal holds it, and as its row is read.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};

use videohub::schema::ModelSchema;
use videohub::{Capability, Media};

use crate::error::{Error, Result};
use crate::state::JobState;
use crate::time::from_ms;

/// A generation to record: which hub, which model, which input, where its output goes.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The hub's base URL (never its key).
    pub hub: String,
    /// The model id.
    pub model: String,
    /// The submit endpoint, e.g. `/hub/v1/video`.
    pub endpoint: String,
    /// The model's input, validated.
    pub input: Map<String, Value>,
    /// Where the output goes. `{task_id}`, `{job_id}` and `{model}` in it are replaced
    /// when the file is saved, e.g. `videos/{model}-{task_id}.mp4`.
    pub output_path: PathBuf,
}

impl NewJob {
    /// A job for the model of `schema`, submitted to the endpoint of its capability.
    /// `{ext}` in `output_path` becomes the extension of the capability's files (`mp4`,
    /// `png`, `mp3`; `bin` for a transcript), so that the path recorded, and a batch line's
    /// key made from it, are the same as with the extension written out.
    ///
    /// ```
    /// # use videohub_journal::NewJob;
    /// let veo = videohub::models::find("veo-3.1").unwrap();
    /// let input = serde_json::json!({"prompt": "a red fox"});
    /// let job = NewJob::new("https://hub.example", veo, input.as_object().unwrap().clone(), "{model}.{ext}");
    /// assert_eq!(job.endpoint, "/hub/v1/video");
    /// assert_eq!(job.output_path, std::path::Path::new("{model}.mp4"));
    /// ```
    pub fn new(
        hub: impl Into<String>,
        schema: &ModelSchema,
        input: Map<String, Value>,
        output_path: impl Into<PathBuf>,
    ) -> NewJob {
        let capability = schema.category.capability();
        let extension = capability.output().map_or("bin", Media::extension);
        let output_path: PathBuf = output_path.into();
        let output_path = match output_path.to_str() {
            Some(text) if text.contains("{ext}") => PathBuf::from(text.replace("{ext}", extension)),
            _ => output_path,
        };
        NewJob {
            hub: hub.into(),
            model: schema.id.to_string(),
            endpoint: capability.endpoint().to_owned(),
            input,
            output_path,
        }
    }
}

/// One job of the journal.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Job {
    /// The journal's id of the job, made before anything is sent.
    pub id: String,
    /// The hub's base URL.
    pub hub: String,
    /// The model id.
    pub model: String,
    /// The submit endpoint.
    pub endpoint: String,
    /// The input sent (or to send).
    pub input: Map<String, Value>,
    /// Where the output goes, with `{task_id}`, `{job_id}` and `{model}` not yet replaced.
    /// For a job of a batch, in the folder of the worker that drives it.
    pub output_path: PathBuf,
    /// For a job of a batch, where its output goes inside the folder the batch is run into
    /// (`--out`), not yet replaced like [`output_path`](Job::output_path): each worker
    /// puts the file in its own folder.
    pub output_name: Option<PathBuf>,
    /// The state.
    pub state: JobState,
    /// The hub's task id, once submitted.
    pub task_id: Option<String>,
    /// The hub's answer for the finished task.
    pub result: Option<Value>,
    /// The last error: why it failed, or why its download did not finish yet.
    pub error: Option<String>,
    /// The saved file.
    pub file_path: Option<PathBuf>,
    /// Its size in bytes.
    pub file_size: Option<u64>,
    /// Its SHA-256, in hex.
    pub sha256: Option<String>,
    /// The store's entity tag of the object, when the file was saved as one.
    pub etag: Option<String>,
    /// How long the task ran, as the hub reported it (or as waited).
    #[serde(serialize_with = "crate::time::serialize_secs")]
    pub task_duration: Option<Duration>,
    /// How many submits were sent for it (more than one only after `retry`).
    pub submits: u32,
    /// The process working on it, while one does.
    pub owner: Option<String>,
    /// The part file of its download while one is under way (or was cut short), continued
    /// by the next process that drives the job.
    pub part_file: Option<PathBuf>,
    /// The job whose task it reuses (a batch line already paid for in this journal): no
    /// submit was sent for it, its file is a copy.
    pub reused_from: Option<String>,
    /// The W3C `traceparent` of the job's trace, once a process that exports traces has
    /// driven it: the spans of every later process that drives it join that trace (see
    /// [`JobTrace`](crate::JobTrace)).
    pub traceparent: Option<String>,
    /// When it was recorded.
    #[serde(serialize_with = "crate::time::serialize_time")]
    pub created_at: SystemTime,
    /// When it last changed.
    #[serde(serialize_with = "crate::time::serialize_time")]
    pub updated_at: SystemTime,
}

impl Job {
    /// Where the output goes, with `{task_id}`, `{job_id}` and `{model}` replaced (each
    /// with anything but letters, digits, `-` and `.` turned into `_`).
    pub fn output_file(&self) -> PathBuf {
        self.rendered(&self.output_path)
    }

    /// Where the output of this batch job goes in `folder`, another folder its batch is run
    /// into (replaced like [`output_file`](Job::output_file)); `None` for a job outside a
    /// batch.
    pub fn output_file_in(&self, folder: &Path) -> Option<PathBuf> {
        let name = self.output_name.as_deref()?;
        Some(self.rendered(&folder.join(name)))
    }

    /// `template` with `{task_id}`, `{job_id}` and `{model}` replaced.
    fn rendered(&self, template: &Path) -> PathBuf {
        let task_id = self.task_id.as_deref().unwrap_or(&self.id);
        render_output(template, &self.model, task_id, &self.id)
    }

    /// What the job generates, from its endpoint; `None` for a path that is not the hub's.
    pub fn capability(&self) -> Option<Capability> {
        Capability::from_endpoint(&self.endpoint)
    }

    /// The prompt of the input, when it has one.
    pub fn prompt(&self) -> Option<&str> {
        self.input.get("prompt").and_then(Value::as_str)
    }
}

/// A row of `jobs` as the store reads it (`SELECT *`: the columns a [`Job`] does not show
/// are left out). A new column of `Job` is a field here and a line of its conversion.
#[derive(Debug, sqlx_macros::FromRow)]
pub(crate) struct JobRow {
    id: String,
    hub: String,
    model: String,
    endpoint: String,
    input: String,
    output_path: String,
    output_name: Option<String>,
    state: String,
    task_id: Option<String>,
    result: Option<String>,
    error: Option<String>,
    file_path: Option<String>,
    file_size: Option<i64>,
    sha256: Option<String>,
    etag: Option<String>,
    task_elapsed_ms: Option<i64>,
    submits: i64,
    owner: Option<String>,
    part_path: Option<String>,
    reused_from: Option<String>,
    traceparent: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = Error;

    fn try_from(row: JobRow) -> Result<Job> {
        let id = row.id;
        let bad = |column: &str, message: String| Error::BadColumn {
            id: id.clone(),
            column: column.to_owned(),
            message,
        };
        let input: Map<String, Value> =
            serde_json::from_str(&row.input).map_err(|e| bad("input", e.to_string()))?;
        let state = stored_state(&id, "state", &row.state)?;
        let result = row
            .result
            .map(|text| serde_json::from_str::<Value>(&text))
            .transpose()
            .map_err(|e| bad("result", e.to_string()))?;
        let file_size = row
            .file_size
            .map(|size| {
                u64::try_from(size).map_err(|_| bad("file_size", format!("{size} is negative")))
            })
            .transpose()?;
        let task_duration = row
            .task_elapsed_ms
            .map(|ms| {
                u64::try_from(ms)
                    .map(Duration::from_millis)
                    .map_err(|_| bad("task_elapsed_ms", format!("{ms} is negative")))
            })
            .transpose()?;
        let submits = u32::try_from(row.submits).map_err(|_| {
            bad(
                "submits",
                format!("{} is not a count of submits", row.submits),
            )
        })?;
        Ok(Job {
            hub: row.hub,
            model: row.model,
            endpoint: row.endpoint,
            input,
            output_path: PathBuf::from(row.output_path),
            output_name: row.output_name.map(PathBuf::from),
            state,
            task_id: row.task_id,
            result,
            error: row.error,
            file_path: row.file_path.map(PathBuf::from),
            file_size,
            sha256: row.sha256,
            etag: row.etag,
            task_duration,
            submits,
            owner: row.owner,
            part_file: row.part_path.map(PathBuf::from),
            reused_from: row.reused_from,
            traceparent: row.traceparent,
            created_at: from_ms(row.created_at),
            updated_at: from_ms(row.updated_at),
            id,
        })
    }
}

/// The state stored as `text` in `column` of a row of job `id`.
pub(crate) fn stored_state(id: &str, column: &str, text: &str) -> Result<JobState> {
    text.parse()
        .map_err(|e: crate::state::UnknownState| Error::BadColumn {
            id: id.to_owned(),
            column: column.to_owned(),
            message: e.to_string(),
        })
}

/// One change of a job's state.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct JobEvent {
    /// When.
    #[serde(serialize_with = "crate::time::serialize_time")]
    pub at: SystemTime,
    /// The state entered (or kept, for a note).
    pub state: JobState,
    /// What happened.
    pub detail: Option<String>,
}

/// Which jobs to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only these states (all when empty).
    pub states: Vec<JobState>,
    /// Only this model.
    pub model: Option<String>,
    /// Only jobs whose input contains this text (case-insensitive).
    pub text: Option<String>,
    /// At most this many.
    pub limit: Option<u32>,
}

/// `template` with `{task_id}`, `{job_id}` and `{model}` replaced, each with anything but
/// letters, digits, `-` and `.` turned into `_` (what [`Job::output_file`] gives once the
/// task is known).
///
/// ```
/// use std::path::Path;
/// let path = videohub_journal::render_output(Path::new("out/{model}-{task_id}.mp4"), "veo-3.1", "t/1", "j1");
/// assert_eq!(path, Path::new("out/veo-3.1-t_1.mp4"));
/// ```
pub fn render_output(template: &Path, model: &str, task_id: &str, job_id: &str) -> PathBuf {
    let text = template.to_string_lossy();
    if !text.contains('{') {
        return template.to_path_buf();
    }
    PathBuf::from(
        text.replace("{task_id}", &file_safe(task_id))
            .replace("{job_id}", &file_safe(job_id))
            .replace("{model}", &file_safe(model)),
    )
}

fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
