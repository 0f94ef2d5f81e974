//! The tools and what each does (their arguments are in `args`, their answers in `report`).

use std::time::Duration;

use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::tool::InputResponses;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, tool, tool_router};
use videohub::schema::Category;
use videohub_app::{Generation, HistoryError, HistoryQuery, Model, ResolveError, StartError};
use videohub_journal::{Job, JobState};

use crate::args::{
    DescribeModelArgs, GenerateArgs, GetJobArgs, ListModelsArgs, RetryJobArgs, SearchHistoryArgs,
};
use crate::confirm::{self, Answer};
use crate::handler::Handler;
use crate::report::{
    HistoryEntry, HistoryReport, JobReport, ModelEntry, ModelList, ModelReport, answer, job_answer,
    refused,
};
use crate::tasks;
use crate::wait::{Progress, wait};
use crate::{DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS};

/// The most jobs `search_history` returns.
const MAX_HISTORY: u32 = 200;

fn wait_of(seconds: Option<f64>) -> Duration {
    let seconds = seconds.unwrap_or(DEFAULT_WAIT_SECONDS);
    let seconds = if seconds.is_finite() { seconds } else { 0.0 };
    Duration::from_secs_f64(seconds.clamp(0.0, MAX_WAIT_SECONDS))
}

fn journal_refusal(error: videohub_journal::Error) -> CallToolResult {
    refused(error.to_string())
}

#[tool_router(vis = "pub(crate)")]
impl Handler {
    /// Every model: compiled ones and the live hub's others.
    #[tool(
        title = "List the models",
        description = "List the models: id, name, vendor, category, capability (video, image, audio), whether videohub compiles it. Optionally only one category.",
        output_schema = schema_for_output::<ModelList>(),
        annotations(read_only_hint = true, open_world_hint = true)
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
        title = "Describe a model's parameters",
        description = "Describe a model's parameters as the JSON Schema of generate's `input`: types, allowed values, ranges, defaults, required ones, mutual exclusions, image counts; with an example input.",
        output_schema = schema_for_output::<ModelReport>(),
        annotations(
            read_only_hint = true,
            open_world_hint = true
        )
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

    /// Validates, records, submits, waits a bounded time (or answers with a task).
    #[tool(
        title = "Generate a video or image (spends hub credit)",
        description = "Generate a video (or image): checks `input` against the model first (an invalid input is an error naming each bad parameter; nothing is sent or paid), records the job, submits it and waits up to `wait_seconds` (default 50) with progress. Returns the job's state; while `finished` is false call get_job with its job_id. Pass a `request_id` and reuse it when retrying: the same request never makes a second video. A client of the tasks extension gets a task at once (its id is the job's).",
        output_schema = schema_for_output::<JobReport>(),
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn generate(
        &self,
        args: Parameters<GenerateArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = args.0;
        let model = match self.resolve(&args.model).await {
            Ok(model) => model,
            Err(refusal) => return Ok(refusal.into()),
        };
        let output =
            match videohub_app::destination::in_folder(self.output_dir(), args.output.as_deref()) {
                Ok(output) => output,
                Err(e) => return Ok(refused(format!("{e}; nothing was sent")).into()),
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
                ))
                .into());
            }
            Err(e) => return Ok(refused(e.to_string()).into()),
        };
        self.follow_up(&job, args.wait_seconds, &context).await
    }

    /// A job's state, waiting a bounded time; continues a job nobody drives.
    #[tool(
        title = "Follow a job",
        description = "A job's state, after waiting up to `wait_seconds` (default 50) for it to finish, with progress. Continues a job no process is driving (e.g. after the client or server restarted): a job whose submit was never sent is sent then, paid once. Same answer as generate; once downloaded, a resource_link to the file.",
        output_schema = schema_for_output::<JobReport>(),
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn get_job(
        &self,
        args: Parameters<GetJobArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let job = match self.app().journal().job(&args.0.job_id).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e)),
        };
        self.answer_after_wait(&job.id, args.0.wait_seconds, &context)
            .await
    }

    /// Sends a finished job again; one of unknown outcome only with `force`, once the user
    /// confirmed.
    #[tool(
        title = "Send a job again (spends hub credit)",
        description = "Send a failed, timed-out or cancelled job again, then wait like get_job (or, for a client of the tasks extension, answer with its task). A job in state outcome_unknown (its first submit may have created a task, billed if it completes) is only sent again with `force: true`, and only once the user confirms when the server asks (a client that cannot ask gets a refusal: the user sends it again).",
        output_schema = schema_for_output::<JobReport>(),
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn retry_job(
        &self,
        args: Parameters<RetryJobArgs>,
        responses: InputResponses,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = args.0;
        let journal = self.app().journal();
        let job = match journal.job(&args.job_id).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e).into()),
        };
        if job.state == JobState::OutcomeUnknown {
            if !args.force {
                return Ok(refused(format!(
                    "{} `force: true` sends it again once the user confirms it when asked.",
                    confirm::unknown_outcome(&job)
                ))
                .into());
            }
            match confirm::second_submit(&context, responses.0, &job).await {
                Answer::Yes => {}
                Answer::No(refusal) => return Ok(refusal.into()),
                Answer::Ask(question) => return Ok(question.into()),
            }
        }
        let job = match journal.retry(&job.id, args.force).await {
            Ok(job) => job,
            Err(e) => return Ok(journal_refusal(e).into()),
        };
        self.app().drives().adopt(&job.id);
        self.follow_up(&job, args.wait_seconds, &context).await
    }

    /// The journal's jobs, newest first.
    #[tool(
        title = "Search earlier generations",
        description = "Earlier generations, newest first: model, prompt, parameters, state, file. Filter by text in the prompt or parameters, model, state.",
        output_schema = schema_for_output::<HistoryReport>(),
        annotations(
            read_only_hint = true,
            open_world_hint = false
        )
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
    /// What a call that started (or sent again) `job` answers: a task for a client of the
    /// tasks extension (2026-07-28 era), else the job's state after a bounded wait.
    async fn follow_up(
        &self,
        job: &Job,
        wait_seconds: Option<f64>,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if tasks::offered(context) {
            self.cancelled().forget(&job.id);
            return Ok(tasks::created(self.app(), job).into());
        }
        self.answer_after_wait(&job.id, wait_seconds, context)
            .await
            .map(Into::into)
    }

    /// Waits up to `seconds` (the default when `None`) for job `id`, with progress
    /// notifications when the request carries a token, and answers with the job's report.
    async fn answer_after_wait(
        &self,
        id: &str,
        seconds: Option<f64>,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let progress = context
            .meta
            .get_progress_token()
            .map(|token| Progress::new(context.peer.clone(), token));
        match wait(self.app(), id, wait_of(seconds), progress).await {
            Ok(report) => job_answer(&report),
            Err(e) => Ok(journal_refusal(e)),
        }
    }

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
