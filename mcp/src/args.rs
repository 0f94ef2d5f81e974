//! The tools' arguments, with their JSON Schemas (portable: see `schema`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Arguments of `list_models`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct ListModelsArgs {
    /// Only the models of this category: text-to-video, image-to-video, reference-to-video,
    /// first-last-frame-to-video, text-to-image, …
    #[serde(default)]
    pub category: Option<String>,
}

/// Arguments of `describe_model`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct DescribeModelArgs {
    /// The model id, e.g. veo-3.1.
    pub model: String,
}

/// Arguments of `generate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct GenerateArgs {
    /// The model id, e.g. veo-3.1 (`list_models`).
    pub model: String,
    /// The model's parameters, as `describe_model` gives their schema, e.g.
    /// `{"prompt": "a red fox in snow", "duration": "8s"}`. Images are http(s) URLs.
    pub input: Map<String, Value>,
    /// Where to save the file: a path relative to the server's output directory (default:
    /// `<model>-<task id>.<ext>` there).
    #[serde(default)]
    pub output: Option<String>,
    /// Your idempotency key for this request: calling again with the same one (a retried
    /// call) returns the same job and never sends a second request to the hub.
    #[serde(default)]
    pub request_id: Option<String>,
    /// How long to wait for the job to finish before answering, in seconds (default 50,
    /// under a client's usual 60 s timeout). The job goes on after the answer. A client of
    /// the tasks extension gets a task at once instead.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 300.0))]
    pub wait_seconds: Option<f64>,
}

/// Arguments of `get_job`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct GetJobArgs {
    /// The job id `generate` returned (a unique prefix is enough).
    pub job_id: String,
    /// How long to wait for the job to finish before answering, in seconds (default 50).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 300.0))]
    pub wait_seconds: Option<f64>,
}

/// Arguments of `retry_job`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct RetryJobArgs {
    /// The job id (a unique prefix is enough) of a failed, timed-out or cancelled job, or
    /// of one whose outcome is unknown.
    pub job_id: String,
    /// Send a job whose outcome is unknown again, at the risk of a second billed video: its
    /// first submit may have created a task. The server asks the user to confirm first.
    #[serde(default)]
    pub force: bool,
    /// How long to wait for the job to finish before answering, in seconds (default 50).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 300.0))]
    pub wait_seconds: Option<f64>,
}

/// Arguments of `search_history`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::portable)]
pub struct SearchHistoryArgs {
    /// Only jobs whose prompt or parameters contain this text (case-insensitive).
    #[serde(default)]
    pub query: Option<String>,
    /// Only this model.
    #[serde(default)]
    pub model: Option<String>,
    /// Only this state: pending, submitting, submitted, completed, downloaded, failed,
    /// timeout, cancelled, outcome_unknown.
    #[serde(default)]
    pub state: Option<String>,
    /// At most this many (default 20).
    #[serde(default)]
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}
