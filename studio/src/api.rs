//! The studio's routes: the page, its assets, and the JSON endpoints.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State as Shared};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use videohub::{Capability, Image};
use videohub_app::access::Access;
use videohub_app::{
    Follow, Generation, HistoryError, HistoryQuery, Model, ResolveError, StartError,
};
use videohub_journal::Job;

use crate::State;
use crate::assets;
use crate::view::{JobView, LiveView};

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
        .route("/api/jobs/{id}/resume", post(resume))
        .route("/api/jobs/{id}/video", get(video))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Access::loopback().max_body(MAX_IMAGE).shared(),
            videohub_app::access::guard,
        ))
        .with_state(state)
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
    let catalog = state.app.catalog().await.generating(&SHOWN);
    let note = catalog.note();
    let list: Vec<Value> = catalog
        .entries
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.name,
                "vendor": m.vendor,
                "category": m.category,
                "description": m.description,
                "compiled": m.availability.is_compiled(),
            })
        })
        .collect();
    ok(json!({"models": list, "note": note, "hub": state.app.hub()}))
}

/// Every problem of `input` for `model`, each with its parameter and the command line's
/// message.
fn problems(model: &Model, input: &Map<String, Value>) -> Vec<Value> {
    match model.validate(input) {
        Ok(()) => Vec::new(),
        Err(errors) => listed(&errors),
    }
}

/// Each error with its parameter and message.
fn listed(errors: &videohub::ValidationErrors) -> Vec<Value> {
    errors
        .errors()
        .iter()
        .map(|e| json!({"param": e.param, "message": e.to_string()}))
        .collect()
}

/// Model `id`, compiled or the live hub's, or the error the page shows.
async fn resolve(state: &State, id: &str) -> Result<Model, Response> {
    state.app.resolve(id).await.map_err(|e| match e {
        ResolveError::Unknown { .. } => error(StatusCode::NOT_FOUND, e.to_string()),
        ResolveError::Hub { .. } => error(StatusCode::BAD_GATEWAY, e.to_string()),
    })
}

async fn model(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Response {
    match resolve(&state, &id).await {
        Ok(model) => ok(json!({
            "schema": model.view(),
            "json_schema": model.view().to_json_schema(),
            "compiled": model.is_compiled(),
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
        Ok(model) => ok(json!({"errors": problems(&model, &request.input)})),
        Err(response) => response,
    }
}

/// Validates, records the job, then drives it in a task of its own, as `videohub generate`
/// does; answers with the job once it is recorded.
async fn generate(
    Shared(state): Shared<AppState>,
    axum::Json(request): axum::Json<ModelInput>,
) -> Response {
    let model = match resolve(&state, &request.model).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let started = state
        .app
        .start(Generation {
            model: &model,
            input: request.input,
            output: videohub_app::destination::default_in(&state.output_dir),
            request_id: None,
        })
        .await;
    let job = match started {
        Ok(job) => job,
        Err(StartError::Invalid { model, errors }) => {
            let errors = listed(&errors);
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({
                    "error": format!("invalid request for `{model}`; nothing was sent"),
                    "errors": errors,
                })),
            )
                .into_response();
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot record the job: {e}"),
            );
        }
    };
    state.app.follow(&job);
    (StatusCode::CREATED, axum::Json(view_json(&state, &job))).into_response()
}

fn view_json(state: &State, job: &Job) -> Value {
    serde_json::to_value(JobView::new(job, state.app.hub(), live_view(state, job)))
        .unwrap_or(Value::Null)
}

/// How far this studio's drive of `job` got, when it drove it.
fn live_view(state: &State, job: &Job) -> Option<LiveView> {
    let live = state.app.drives().last(&job.id)?;
    let expected = state.app.client().typical_duration(&job.model);
    Some(LiveView::new(job, &live, expected))
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
    let query = HistoryQuery {
        model: query.model,
        state: query.status,
        text: query.text,
        limit: query.limit,
    };
    match state.app.history(&query, 200, 1000).await {
        Ok(jobs) => {
            let views: Vec<Value> = jobs.iter().map(|j| view_json(&state, j)).collect();
            ok(json!({"jobs": views, "hub": state.app.hub()}))
        }
        Err(e @ HistoryError::State(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn find_job(state: &State, id: &str) -> Result<Job, Response> {
    state.app.journal().job(id).await.map_err(|e| match e {
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

/// Takes an unfinished job up again, as `generate` drives a new one: a pending job is sent,
/// a submitted one polled, a completed one downloaded (one whose submit was cut off
/// becomes `outcome_unknown`, never sent again).
async fn resume(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Response {
    let job = match find_job(&state, &id).await {
        Ok(job) => job,
        Err(response) => return response,
    };
    match state.app.follow(&job) {
        Follow::Here(_) | Follow::Final => ok(view_json(&state, &job)),
        Follow::OtherHub(hub) => error(
            StatusCode::CONFLICT,
            format!(
                "job {} belongs to the hub {hub}, not to this studio's",
                job.id
            ),
        ),
        Follow::HubGone => error(
            StatusCode::CONFLICT,
            format!(
                "job {}'s hub was an in-process sandbox that ended with the process that started it",
                job.id
            ),
        ),
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
    let view = JobView::new(&job, state.app.hub(), live_view(&state, &job));
    let (Some(_), Some(_)) = (&view.video_url, &job.file_path) else {
        let why = view
            .problem
            .unwrap_or_else(|| format!("job {} has no video yet", job.id));
        return error(StatusCode::NOT_FOUND, why);
    };
    #[cfg(feature = "object-store")]
    if let Some(url) = crate::remote::object_of(&job) {
        let client = state.app.client();
        return crate::remote::serve(client, &job, &url, &state.output_dir, request.headers())
            .await;
    }
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
