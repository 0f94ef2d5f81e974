//! The tools: their arguments (with their JSON Schemas) and what each does.

use std::time::Duration;

use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, RequestMetaObject};
use rmcp::{ErrorData, Peer, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use videohub::schema::Category;
use videohub_app::{App, Generation, HistoryError, HistoryQuery, Model, ResolveError, StartError};
use videohub_journal::JobState;

use crate::handler::Handler;
use crate::report::{HistoryEntry, HistoryReport, JobReport, ModelEntry, ModelList, ModelReport};
use crate::wait::{Progress, wait};
use crate::{DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS};

/// The most jobs `search_history` returns.
const MAX_HISTORY: u32 = 200;

/// Arguments of `list_models`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListModelsArgs {
    /// Only the models of this category: text-to-video, image-to-video, reference-to-video,
    /// first-last-frame-to-video, text-to-image, …
    #[serde(default)]
    pub category: Option<String>,
}

/// Arguments of `describe_model`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DescribeModelArgs {
    /// The model id, e.g. veo-3.1.
    pub model: String,
}

/// Arguments of `generate`.
#[derive(Debug, Deserialize, JsonSchema)]
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
    /// under a client's usual 60 s timeout). The job goes on after the answer.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 300.0))]
    pub wait_seconds: Option<f64>,
}

/// Arguments of `get_job`.
#[derive(Debug, Deserialize, JsonSchema)]
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
pub struct RetryJobArgs {
    /// The job id (a unique prefix is enough) of a failed, timed-out or cancelled job, or
    /// of one whose outcome is unknown.
    pub job_id: String,
    /// Send a job whose outcome is unknown again, at the risk of a second billed video: its
    /// first submit may have created a task. Ask the user first.
    #[serde(default)]
    pub force: bool,
    /// How long to wait for the job to finish before answering, in seconds (default 50).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 300.0))]
    pub wait_seconds: Option<f64>,
}

/// Arguments of `search_history`.
#[derive(Debug, Deserialize, JsonSchema)]
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

/// A tool error: the message, `isError: true`.
fn refused(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

/// A structured answer, with its JSON as text for clients that read only text.
fn answer(value: &impl serde::Serialize) -> Result<CallToolResult, ErrorData> {
    let value = serde_json::to_value(value)
        .map_err(|e| ErrorData::internal_error(format!("cannot write the answer: {e}"), None))?;
    Ok(CallToolResult::structured(value))
}

/// A job's answer: structured, plus a `resource_link` to its file once downloaded.
fn job_answer(report: &JobReport) -> Result<CallToolResult, ErrorData> {
    let mut result = answer(report)?;
    result.content.extend(report.link());
    Ok(result)
}

fn wait_of(seconds: Option<f64>) -> Duration {
    let seconds = seconds.unwrap_or(DEFAULT_WAIT_SECONDS);
    let seconds = if seconds.is_finite() { seconds } else { 0.0 };
    Duration::from_secs_f64(seconds.clamp(0.0, MAX_WAIT_SECONDS))
}

fn progress_of(meta: &RequestMetaObject, peer: Peer<RoleServer>) -> Option<Progress> {
    meta.get_progress_token()
        .map(|token| Progress::new(peer, token))
}

/// Waits up to `seconds` (the default when `None`) for job `id`, with progress
/// notifications when the request carries a token, and answers with the job's report.
async fn answer_after_wait(
    app: &App,
    id: &str,
    seconds: Option<f64>,
    meta: &RequestMetaObject,
    peer: Peer<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    let progress = progress_of(meta, peer);
    match wait(app, id, wait_of(seconds), progress).await {
        Ok(report) => job_answer(&report),
        Err(e) => Ok(journal_refusal(e)),
    }
}

fn journal_refusal(error: videohub_journal::Error) -> CallToolResult {
    refused(error.to_string())
}

#[tool_router(vis = "pub(crate)")]
impl Handler {
    /// Every model: compiled ones and the live hub's others.
    #[tool(
        description = "List the models: id, name, vendor, category, capability (video, image, audio), whether videohub compiles it. Optionally only one category.",
        output_schema = schema_for_output::<ModelList>(),
        annotations(read_only_hint = true)
    )]
    async fn list_models(
        &self,
        args: Parameters<ListModelsArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let category = match args.0.category.as_deref() {
            None | Some("") => None,
            Some(text) => match text.parse::<Category>() {
                Ok(category) => Some(category),
                Err(e) => return Ok(refused(e.to_string())),
            },
        };
        let mut catalog = self.app().catalog().await;
        if let Some(category) = category {
            catalog = catalog.of_category(category);
        }
        let note = catalog.note();
        let models = catalog.entries.into_iter().map(ModelEntry::from).collect();
        answer(&ModelList { models, note })
    }

    /// One model's parameters as JSON Schema.
    #[tool(
        description = "Describe a model's parameters as the JSON Schema of generate's `input`: types, allowed values, ranges, defaults, required ones, mutual exclusions, image counts; with an example input.",
        output_schema = schema_for_output::<ModelReport>(),
        annotations(read_only_hint = true)
    )]
    async fn describe_model(
        &self,
        args: Parameters<DescribeModelArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let model = match self.resolve(&args.0.model).await {
            Ok(model) => model,
            Err(refusal) => return Ok(refusal),
        };
        let schema = model.view();
        let entry = ModelEntry {
            compiled: model.is_compiled(),
            ..entry(schema)
        };
        answer(&ModelReport {
            id: entry.id,
            name: entry.name,
            vendor: entry.vendor,
            category: entry.category,
            capability: entry.capability,
            compiled: entry.compiled,
            description: entry.description,
            input_schema: schema.to_json_schema(),
            example: schema.example_input(),
        })
    }

    /// Validates, records, submits, waits a bounded time.
    #[tool(
        description = "Generate a video (or image): checks `input` against the model first (an invalid input is an error naming each bad parameter; nothing is sent or paid), records the job, submits it and waits up to `wait_seconds` (default 50) with progress. Returns the job's state; while `finished` is false call get_job with its job_id. Pass a `request_id` and reuse it when retrying: the same request never makes a second video.",
        output_schema = schema_for_output::<JobReport>(),
        annotations(read_only_hint = false, destructive_hint = false, open_world_hint = true)
    )]
    async fn generate(
        &self,
        args: Parameters<GenerateArgs>,
        meta: RequestMetaObject,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let args = args.0;
        let model = match self.resolve(&args.model).await {
            Ok(model) => model,
            Err(refusal) => return Ok(refusal),
        };
        let output =
            match videohub_app::destination::in_folder(self.output_dir(), args.output.as_deref()) {
                Ok(output) => output,
                Err(e) => return Ok(refused(format!("{e}; nothing was sent"))),
            };
        let started = self
            .app()
            .start(Generation {
                model: &model,
                input: args.input,
                output,
                request_id: args.request_id,
            })
            .await;
        let job = match started {
            Ok(job) => job,
            Err(StartError::Invalid { model, errors }) => {
                let lines: Vec<String> = errors.errors().iter().map(|e| format!("- {e}")).collect();
                return Ok(refused(format!(
                    "invalid input for `{model}`; nothing was sent (describe_model gives its parameters):\n{}",
                    lines.join("\n")
                )));
            }
            Err(e) => return Ok(refused(e.to_string())),
        };
        answer_after_wait(self.app(), &job.id, args.wait_seconds, &meta, peer).await
    }

    /// A job's state, waiting a bounded time; continues a job nobody drives.
    #[tool(
        description = "A job's state, after waiting up to `wait_seconds` (default 50) for it to finish, with progress. Continues a job no process is driving (e.g. after the client or server restarted). Same answer as generate; once downloaded, a resource_link to the file.",
        output_schema = schema_for_output::<JobReport>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true)
    )]
    async fn get_job(
        &self,
        args: Parameters<GetJobArgs>,
        meta: RequestMetaObject,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let job = match self.app().journal().job(&args.0.job_id).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e)),
        };
        answer_after_wait(self.app(), &job.id, args.0.wait_seconds, &meta, peer).await
    }

    /// Sends a finished job again; one of unknown outcome only with `force`.
    #[tool(
        description = "Send a failed, timed-out or cancelled job again, then wait like get_job. A job in state outcome_unknown (its first submit may have created a task, billed if it completes) is only sent again with `force: true`: ask the user first.",
        output_schema = schema_for_output::<JobReport>(),
        annotations(read_only_hint = false, destructive_hint = false, open_world_hint = true)
    )]
    async fn retry_job(
        &self,
        args: Parameters<RetryJobArgs>,
        meta: RequestMetaObject,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let args = args.0;
        let app = self.app();
        let journal = app.journal();
        let job = match journal.job(&args.job_id).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e)),
        };
        if job.state == JobState::OutcomeUnknown && !args.force {
            return Ok(refused(format!(
                "job {} was not sent again: its submit may or may not have created a task at the hub ({}), billed if it completes. `force: true` sends it again, and if the first submit did create a task, both are billed: ask the user to check the hub first",
                job.id,
                job.error.as_deref().unwrap_or("no answer was recorded")
            )));
        }
        let job = match journal.retry(&job.id, args.force).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e)),
        };
        app.drives().adopt(&job.id);
        answer_after_wait(app, &job.id, args.wait_seconds, &meta, peer).await
    }

    /// The journal's jobs, newest first.
    #[tool(
        description = "Earlier generations, newest first: model, prompt, parameters, state, file. Filter by text in the prompt or parameters, model, state.",
        output_schema = schema_for_output::<HistoryReport>(),
        annotations(read_only_hint = true)
    )]
    async fn search_history(
        &self,
        args: Parameters<SearchHistoryArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let args = args.0;
        let query = HistoryQuery {
            model: args.model,
            state: args.state,
            text: args.query,
            limit: args.limit,
        };
        match self.app().history(&query, 20, MAX_HISTORY).await {
            Ok(jobs) => answer(&HistoryReport {
                jobs: jobs.iter().map(HistoryEntry::new).collect(),
            }),
            Err(HistoryError::State(e)) => Ok(refused(e.to_string())),
            Err(HistoryError::Journal(e)) => Ok(journal_refusal(e)),
        }
    }
}

impl Handler {
    /// Model `id`, compiled or the live hub's, or the tool error that says why not.
    async fn resolve(&self, id: &str) -> Result<Model, CallToolResult> {
        self.app().resolve(id).await.map_err(|e| match e {
            ResolveError::Unknown { .. } => refused(format!("{e}; list_models lists them")),
            ResolveError::Hub { .. } => refused(e.to_string()),
        })
    }
}

/// A model as `list_models` lists it.
fn entry(schema: &videohub::ModelSchema) -> ModelEntry {
    videohub_app::Entry::compiled(schema).into()
}
