//! The studio's routes: the page, its assets, and the JSON endpoints.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State as Shared};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use videohub::schema::LiveSchema;
use videohub::{Capability, Image, ModelSchema};
use videohub_journal::{Job, JobFilter, JobState, NewJob, Step};

use crate::State;
use crate::assets;
use crate::view::JobView;

type AppState = Arc<State>;

/// The largest image the page may upload, in bytes.
const MAX_IMAGE: usize = 20 * 1024 * 1024;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/models", get(models))
        .route("/api/models/{id}", get(model))
        .route("/api/validate", post(validate))
        .route("/api/generate", post(generate))
        .route(
            "/api/image",
            post(image).layer(DefaultBodyLimit::max(MAX_IMAGE)),
        )
        .route("/api/jobs", get(jobs))
        .route("/api/jobs/{id}", get(job))
        .route("/api/jobs/{id}/video", get(video))
        .fallback(not_found)
        .layer(middleware::from_fn(local_only))
        .with_state(state)
}

/// Refuses requests addressed to another host name than this machine's loopback (a web
/// page elsewhere pointing a DNS name at 127.0.0.1 must not reach the studio).
async fn local_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        next.run(request).await
    } else {
        error(
            StatusCode::FORBIDDEN,
            format!("the studio answers only requests to 127.0.0.1 or localhost, not `{host}`"),
        )
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page")
}

/// `{"error": message}` with a status.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

fn ok(value: impl serde::Serialize) -> Response {
    axum::Json(value).into_response()
}

/// The capabilities whose files the gallery shows (a `<video>` or an `<img>`).
const SHOWN: [Capability; 2] = [Capability::Video, Capability::Image];

/// The models to pick from: every compiled model, then the live hub's others of the
/// capabilities the page shows.
async fn models(Shared(state): Shared<AppState>) -> Response {
    let mut list: Vec<Value> = videohub::models::catalog()
        .iter()
        .map(|m| summary(m, true))
        .collect();
    let mut notes = Vec::new();
    for capability in SHOWN {
        let client = state.runner.client();
        let live = tokio::time::timeout(Duration::from_secs(10), client.models(capability)).await;
        match live {
            Ok(Ok(live)) => {
                // The page fetches a live model's schema when it is picked.
                let others = live
                    .into_iter()
                    .filter(|info| videohub::models::find(&info.id).is_none());
                list.extend(others.map(|info| {
                    json!({
                        "id": info.id,
                        "name": info.name.unwrap_or_else(|| info.id.clone()),
                        "vendor": info.vendor,
                        "category": info.category,
                        "description": info.description,
                        "compiled": false,
                    })
                }));
            }
            Ok(Err(e)) => notes.push(format!(
                "the hub's own {capability} model list could not be read: {e}"
            )),
            Err(_) => notes.push(format!(
                "the hub's own {capability} model list did not come in time"
            )),
        }
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    ok(json!({"models": list, "note": note, "hub": state.hub}))
}

fn summary(schema: &ModelSchema, compiled: bool) -> Value {
    json!({
        "id": schema.id,
        "name": schema.name,
        "vendor": schema.vendor,
        "category": schema.category,
        "description": schema.description,
        "compiled": compiled,
    })
}

/// A model's schema, with the live hub's JSON Schema compiled for a model videohub does not
/// compile: inputs are checked as `videohub generate` checks them.
struct Resolved {
    schema: ModelSchema,
    live: Option<LiveSchema>,
}

impl Resolved {
    /// Every problem of `input`, each with its parameter and the command line's message.
    fn problems(&self, input: &Map<String, Value>) -> Vec<Value> {
        let checked = match &self.live {
            Some(live) => live.validate(input),
            None => self.schema.validate_input(input),
        };
        match checked {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .errors()
                .iter()
                .map(|e| json!({"param": e.param, "message": e.to_string()}))
                .collect(),
        }
    }
}

/// The schema of `id`, compiled or the live hub's, or the error the page shows.
async fn resolve(state: &State, id: &str) -> Result<Resolved, Response> {
    if let Some(schema) = videohub::models::find(id) {
        return Ok(Resolved {
            schema: schema.clone(),
            live: None,
        });
    }
    match state.runner.client().live_schema(id).await {
        Ok(live) => Ok(Resolved {
            schema: live.view().clone(),
            live: Some(live),
        }),
        Err(videohub::Error::NotFound { .. }) => Err(error(StatusCode::NOT_FOUND, unknown(id))),
        Err(e) => Err(error(
            StatusCode::BAD_GATEWAY,
            format!("cannot read the schema of `{id}` from the hub: {e}"),
        )),
    }
}

/// The command line's message for a model it does not know.
pub(crate) fn unknown(id: &str) -> String {
    let ids = videohub::models::catalog().iter().map(|m| m.id.as_ref());
    let hint = videohub::schema::suggest(id, ids)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!("unknown model `{id}`{hint}; `videohub models list` shows them all")
}

async fn model(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Response {
    match resolve(&state, &id).await {
        Ok(Resolved { schema, .. }) => ok(json!({
            "schema": schema,
            "json_schema": schema.to_json_schema(),
            "compiled": videohub::models::find(&id).is_some(),
        })),
        Err(response) => response,
    }
}

#[derive(Debug, Deserialize)]
/// A model and an input, as the page sends them.
struct ModelInput {
    model: String,
    #[serde(default)]
    input: Map<String, Value>,
}

async fn validate(
    Shared(state): Shared<AppState>,
    axum::Json(request): axum::Json<ModelInput>,
) -> Response {
    match resolve(&state, &request.model).await {
        Ok(resolved) => ok(json!({"errors": resolved.problems(&request.input)})),
        Err(response) => response,
    }
}

/// Validates, records the job, then drives it in a task of its own, as `videohub generate`
/// does; answers with the job once it is recorded.
async fn generate(
    Shared(state): Shared<AppState>,
    axum::Json(request): axum::Json<ModelInput>,
) -> Response {
    let resolved = match resolve(&state, &request.model).await {
        Ok(resolved) => resolved,
        Err(response) => return response,
    };
    let errors = resolved.problems(&request.input);
    let schema = resolved.schema;
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({
                "error": format!("invalid request for `{}`; nothing was sent", schema.id),
                "errors": errors,
            })),
        )
            .into_response();
    }
    let new = NewJob::new(
        state.hub.clone(),
        &schema,
        request.input,
        state.output_dir.join("{model}-{task_id}.{ext}"),
    );
    let job = match state.runner.record(&new).await {
        Ok(job) => job,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot record the job: {e}"),
            );
        }
    };
    let expected = state
        .runner
        .client()
        .typical_duration(&schema.id)
        .map(|d| d.as_secs_f64());
    state.set_live(&job.id, |live| {
        live.step = "submitting".into();
        live.expected = expected;
    });
    let id = job.id.clone();
    let recorded = job.clone();
    let driving = state.clone();
    tokio::spawn(async move {
        let outcome = driving
            .runner
            .drive(job, |step| {
                let (id, step) = match step {
                    Step::Submitting(job) => (job.id.as_str(), "submitting"),
                    Step::Submitted(job) => (job.id.as_str(), "submitted"),
                    Step::Downloading { job, .. } => (job.id.as_str(), "downloading"),
                    Step::Polled(update) => {
                        driving.set_live(&id, |live| {
                            live.step = "running".into();
                            live.status = Some(update.status().to_string());
                            live.elapsed = update.elapsed().as_secs_f64();
                            live.polls = update.polls;
                        });
                        return;
                    }
                    _ => return,
                };
                driving.set_live(id, |live| live.step = step.into());
            })
            .await;
        match outcome {
            Ok(job) => driving.set_live(&job.id, |live| live.step = job.state.to_string()),
            Err(e) => driving.set_live(&id, |live| {
                live.step = "stopped".into();
                live.error = Some(e.to_string());
            }),
        }
    });
    (
        StatusCode::CREATED,
        axum::Json(view_json(&state, &recorded)),
    )
        .into_response()
}

fn view_json(state: &State, job: &Job) -> Value {
    serde_json::to_value(JobView::new(job, state.live(&job.id))).unwrap_or(Value::Null)
}

/// An uploaded image, sent inline as a `data:` URI (as `--image FILE` does).
async fn image(headers: HeaderMap, body: Bytes) -> Response {
    if body.is_empty() {
        return error(StatusCode::BAD_REQUEST, "the image is empty");
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    if !mime.starts_with("image/") && !mime.starts_with("video/") {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("`{mime}` is not an image"),
        );
    }
    let image = Image::from_bytes(&body, mime);
    ok(json!({"data_uri": image.as_str(), "bytes": body.len()}))
}

#[derive(Debug, Deserialize)]
struct JobsQuery {
    model: Option<String>,
    status: Option<String>,
    text: Option<String>,
    limit: Option<u32>,
}

async fn jobs(Shared(state): Shared<AppState>, Query(query): Query<JobsQuery>) -> Response {
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let mut filter = JobFilter {
        model: nonempty(query.model),
        text: nonempty(query.text),
        limit: Some(query.limit.unwrap_or(200)),
        ..JobFilter::default()
    };
    if let Some(status) = nonempty(query.status) {
        match status.parse::<JobState>() {
            Ok(state) => filter.states.push(state),
            Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
        }
    }
    match state.runner.journal().jobs(&filter).await {
        Ok(jobs) => {
            let views: Vec<Value> = jobs.iter().map(|j| view_json(&state, j)).collect();
            ok(json!({"jobs": views, "hub": state.hub}))
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the journal: {e}"),
        ),
    }
}

async fn find_job(state: &State, id: &str) -> Result<Job, Response> {
    state.runner.journal().job(id).await.map_err(|e| match e {
        videohub_journal::Error::NoSuchJob { .. }
        | videohub_journal::Error::AmbiguousJob { .. } => {
            error(StatusCode::NOT_FOUND, e.to_string())
        }
        e => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the journal: {e}"),
        ),
    })
}

async fn job(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Response {
    match find_job(&state, &id).await {
        Ok(job) => ok(view_json(&state, &job)),
        Err(response) => response,
    }
}

/// The job's file (a video or an image, typed by its extension), with Range support; or why
/// there is none.
async fn video(
    Shared(state): Shared<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let job = match find_job(&state, &id).await {
        Ok(job) => job,
        Err(response) => return response,
    };
    let view = JobView::new(&job, state.live(&job.id));
    let (Some(_), Some(_)) = (&view.video_url, &job.file_path) else {
        let why = view
            .problem
            .unwrap_or_else(|| format!("job {} has no video yet", job.id));
        return error(StatusCode::NOT_FOUND, why);
    };
    let path = match crate::files::servable(&job, &state.output_dir) {
        Ok(path) => path,
        Err(why) => return error(StatusCode::FORBIDDEN, why),
    };
    // Typed by its extension: `video/mp4`, `image/png`.
    match ServeFile::new(&path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read {}: {e}", path.display()),
        ),
    }
}
