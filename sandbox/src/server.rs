//! The two origins: the hub's API and the file origin that serves finished videos.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use rand::RngExt;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use videohub::ModelSchema;

use crate::conn::ConnControl;
use crate::faults::{FaultKind, FaultPoint, FaultSpec, rng_for};
use crate::tasks::{Outcome, Phase, Task, TaskDuration, TaskStore};
use crate::{Counters, SAMPLE_MP4, SandboxBuilder, SubmitShape, compiled_models};

/// Streams of the seeded generator besides the fault points.
const STREAM_DURATION: u64 = 100;
const STREAM_TASK_ID: u64 = 101;
const STREAM_FAILURE: u64 = 102;

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) models: Vec<ModelSchema>,
    pub(crate) api_key: Option<String>,
    pub(crate) submit_shape: SubmitShape,
    pub(crate) faults: FaultSpec,
    pub(crate) time_scale: f64,
    pub(crate) durations: TaskDuration,
    pub(crate) model_durations: HashMap<String, TaskDuration>,
    /// The file origin's base URL, e.g. `http://127.0.0.1:40123`.
    pub(crate) files_url: String,
    /// The size of every video served; the fixture's when 0 or smaller.
    pub(crate) video_size: u64,
    pub(crate) tasks: Mutex<TaskStore>,
    pub(crate) counters: CounterCells,
    /// How many draws each fault point has made, in [`FaultPoint`] order.
    draws: [AtomicU64; 4],
}

impl Shared {
    /// The state of a sandbox configured by `builder`, whose videos are served at `files_url`.
    pub(crate) fn new(builder: SandboxBuilder, files_url: String) -> Self {
        Shared {
            models: builder.models.unwrap_or_else(compiled_models),
            api_key: builder.api_key,
            submit_shape: builder.submit_shape,
            faults: builder.faults,
            time_scale: builder.time_scale,
            durations: builder.durations,
            model_durations: builder.model_durations,
            files_url,
            video_size: builder.video_size.max(SAMPLE_MP4.len() as u64),
            tasks: Mutex::new(TaskStore::new(builder.max_tasks, builder.retention)),
            counters: CounterCells::default(),
            draws: Default::default(),
        }
    }

    pub(crate) fn tasks(&self) -> MutexGuard<'_, TaskStore> {
        // A panic while holding the lock leaves the store consistent: every change is one call.
        self.tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn model(&self, id: &str) -> Option<&ModelSchema> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The fault of the next request at `point`, counted when it happens.
    fn draw(&self, point: FaultPoint) -> Option<FaultKind> {
        let index = self.draws[point as usize].fetch_add(1, Ordering::Relaxed);
        let fault = self.faults.fault_for(point, index);
        if fault.is_some() {
            CounterCells::bump(&self.counters.faults_injected);
        }
        fault
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let ok = match (key, &self.api_key) {
            (Some(given), Some(expected)) => given == expected,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !ok {
            CounterCells::bump(&self.counters.unauthorized);
        }
        ok
    }
}

/// The live counters behind [`Counters`].
#[derive(Debug, Default)]
pub(crate) struct CounterCells {
    submits_received: AtomicU64,
    tasks_created: AtomicU64,
    polls: AtomicU64,
    downloads: AtomicU64,
    unauthorized: AtomicU64,
    authorized_downloads: AtomicU64,
    ranged_downloads: AtomicU64,
    faults_injected: AtomicU64,
    duplicate_tasks: AtomicU64,
}

impl CounterCells {
    fn bump(cell: &AtomicU64) -> u64 {
        cell.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let read = |cell: &AtomicU64| cell.load(Ordering::Relaxed);
        Counters {
            submits_received: read(&self.submits_received),
            tasks_created: read(&self.tasks_created),
            polls: read(&self.polls),
            downloads: read(&self.downloads),
            unauthorized: read(&self.unauthorized),
            authorized_downloads: read(&self.authorized_downloads),
            ranged_downloads: read(&self.ranged_downloads),
            faults_injected: read(&self.faults_injected),
            duplicate_tasks: read(&self.duplicate_tasks),
        }
    }
}

/// The state every handler gets.
type AppState = Arc<Shared>;

/// The hub's API.
pub(crate) fn api(shared: AppState) -> Router {
    Router::new()
        .route("/hub/v1/video", post(submit))
        .route("/hub/v1/tasks/{task_id}", get(poll))
        .route("/hub/v1/models", get(list_models))
        .route("/hub/v1/models/{model}", get(describe_model))
        .route("/__sandbox/counters", get(counters))
        .fallback(not_found)
        .with_state(shared)
}

/// The file origin.
pub(crate) fn files(shared: AppState) -> Router {
    Router::new()
        .route("/files/{task_id}/{file_name}", get(download))
        .fallback(not_found)
        .with_state(shared)
}

/// An error answer: `{"error": code, "message": message}`.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}

fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "missing or invalid API key: send `Authorization: Bearer <key>`",
    )
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn counters(State(shared): State<AppState>) -> Json<Counters> {
    Json(shared.counters.snapshot())
}

/// Applies a fault that happens before the request is processed; `None` to go on.
async fn fault_before(
    fault: Option<FaultKind>,
    shared: &Shared,
    conn: &ConnControl,
) -> Option<Response> {
    match fault? {
        FaultKind::Status500 => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the sandbox failed on purpose (fault 500)",
        )),
        FaultKind::Status502 => Some(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
        ),
        FaultKind::Status503 => Some(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"detail": "the service is temporarily overloaded (fault 503)"})),
            )
                .into_response(),
        ),
        FaultKind::RateLimited => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests (fault 429)");
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(shared.faults.retry_after));
            Some(response)
        }
        FaultKind::RateLimitedBare => Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests (fault 429-bare)",
        )),
        FaultKind::ResetBefore => Some(conn.reset().await),
        FaultKind::Slow => {
            tokio::time::sleep(shared.faults.slow).await;
            None
        }
        _ => None,
    }
}

/// Applies a fault that happens after the request is processed to its `answer`.
async fn fault_after(fault: Option<FaultKind>, answer: Response, conn: &ConnControl) -> Response {
    match fault {
        Some(FaultKind::ResetAfter) => conn.reset().await,
        Some(kind @ (FaultKind::Malformed | FaultKind::Truncated)) => {
            let body = match axum::body::to_bytes(answer.into_body(), usize::MAX).await {
                Ok(body) => body,
                Err(_) => Bytes::new(),
            };
            let text = String::from_utf8_lossy(&body);
            let garbled = if kind == FaultKind::Malformed {
                text.replace('"', "'")
            } else {
                text.chars().take(text.chars().count() / 2).collect()
            };
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                garbled,
            )
                .into_response()
        }
        _ => answer,
    }
}

#[derive(Deserialize)]
struct SubmitBody {
    model: Option<Value>,
    input: Option<Value>,
}

async fn submit(
    State(shared): State<AppState>,
    Extension(conn): Extension<ConnControl>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    CounterCells::bump(&shared.counters.submits_received);
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let fault = shared.draw(FaultPoint::Submit);
    if let Some(answer) = fault_before(fault, &shared, &conn).await {
        return answer;
    }
    let answer = create_task(&shared, &body);
    fault_after(fault, answer, &conn).await
}

fn invalid(param: &str, message: String) -> Response {
    let body = json!({"error": "invalid_input", "message": message, "errors": [{"param": param, "message": message}]});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn create_task(shared: &Shared, body: &[u8]) -> Response {
    let request: SubmitBody = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            );
        }
    };
    let model_id = match request.model {
        Some(Value::String(id)) if !id.trim().is_empty() => id,
        None | Some(Value::Null) => {
            return invalid(
                "model",
                "parameter `model`: is required but was not given".into(),
            );
        }
        Some(other) => {
            return invalid(
                "model",
                format!("parameter `model`: expected string, found {other}"),
            );
        }
    };
    let Some(schema) = shared.model(&model_id) else {
        return error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            format!("unknown model `{model_id}`"),
        );
    };
    let empty = Map::new();
    let input = match &request.input {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(input)) => input,
        Some(other) => {
            return invalid(
                "input",
                format!("parameter `input`: expected object, found {other}"),
            );
        }
    };
    if let Err(errors) = schema.validate_input(input) {
        let list: Vec<Value> = errors
            .errors()
            .iter()
            .map(|e| json!({"param": e.param, "message": e.to_string()}))
            .collect();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "invalid_input", "message": errors.to_string(), "errors": list})),
        )
            .into_response();
    }

    let now = Instant::now();
    let mut tasks = shared.tasks();
    if !tasks.make_room(now) {
        let held = tasks.len();
        drop(tasks);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_tasks",
            format!(
                "the sandbox holds {held} unfinished tasks, its limit; retry when some have finished"
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let index = CounterCells::bump(&shared.counters.tasks_created);
    if tasks.seen_body(body_hash(body)) {
        CounterCells::bump(&shared.counters.duplicate_tasks);
    }
    let seed = shared.faults.seed;
    let distribution = shared
        .model_durations
        .get(&model_id)
        .unwrap_or(&shared.durations);
    let duration = distribution.sample(&mut rng_for(seed, STREAM_DURATION, index));
    let duration = Duration::try_from_secs_f64(duration.as_secs_f64() * shared.time_scale)
        .unwrap_or(Duration::ZERO);
    let outcome = match shared.draw(FaultPoint::Task) {
        Some(FaultKind::Failed) => Outcome::failed(&mut rng_for(seed, STREAM_FAILURE, index)),
        Some(FaultKind::Timeout) => Outcome::Timeout,
        _ => Outcome::Completed,
    };
    let uuid = task_uuid(seed, index);
    let id = match shared.submit_shape {
        SubmitShape::TaskId => uuid,
        SubmitShape::Full => format!("hub-{uuid}"),
    };
    let task = Task {
        id: id.clone(),
        model: model_id.clone(),
        created: now,
        created_at: SystemTime::now(),
        duration,
        outcome,
        polls: 0,
        seen_finished_after: None,
    };
    let answer = match shared.submit_shape {
        SubmitShape::TaskId => json!({"taskId": id}),
        SubmitShape::Full => json!({
            "task_id": id,
            "status": "pending",
            "capability": "video",
            "model": model_id,
            "vendor": schema.vendor,
            "mode": schema.category.as_str(),
            "created_at": timestamp(task.created_at),
        }),
    };
    tasks.insert(task);
    (StatusCode::OK, Json(answer)).into_response()
}

fn body_hash(body: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    hasher.finish()
}

/// A UUID-shaped id (version 4 layout) from the seed and the task's index.
fn task_uuid(seed: u64, index: u64) -> String {
    let mut rng = rng_for(seed, STREAM_TASK_ID, index);
    let a: u128 = rng.random();
    let a = (a & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

async fn poll(
    State(shared): State<AppState>,
    Extension(conn): Extension<ConnControl>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    CounterCells::bump(&shared.counters.polls);
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let fault = shared.draw(FaultPoint::Poll);
    if let Some(answer) = fault_before(fault, &shared, &conn).await {
        return answer;
    }
    let answer = task_status(&shared, &task_id);
    fault_after(fault, answer, &conn).await
}

fn task_status(shared: &Shared, task_id: &str) -> Response {
    let mut tasks = shared.tasks();
    let Some(task) = tasks.get_mut(task_id) else {
        return error(
            StatusCode::NOT_FOUND,
            "task_not_found",
            format!("unknown task `{task_id}`"),
        );
    };
    let now = Instant::now();
    task.polls = task.polls.saturating_add(1);
    if task.seen_finished_after.is_none() && now >= task.finished_at() {
        task.seen_finished_after = Some(now - task.finished_at());
    }
    let task = &*task;
    let phase = task.phase(now);
    let elapsed = match phase {
        Phase::Done(_) => task.duration,
        _ => now.saturating_duration_since(task.created),
    };
    let mut body = json!({
        "task_id": task.id,
        "model": task.model,
        "capability": "video",
        "created_at": timestamp(task.created_at),
        "elapsed_ms": elapsed.as_millis() as u64,
    });
    let fields = body.as_object_mut().expect("an object literal");
    let (status, ready) = match phase {
        Phase::Pending => ("pending", false),
        Phase::Processing => ("processing", false),
        Phase::Done(Outcome::Completed) => {
            let file_name = task.file_name();
            fields.insert(
                "data".into(),
                json!({"video": {
                    "url": format!("{}/files/{}/{}", shared.files_url, task.id, file_name),
                    "content_type": "video/mp4",
                    "file_name": file_name,
                    "file_size": shared.video_size,
                }}),
            );
            ("completed", true)
        }
        Phase::Done(Outcome::Failed { code, message }) => {
            fields.insert("error_code".into(), code.clone());
            fields.insert("error_message".into(), (*message).into());
            ("failed", true)
        }
        Phase::Done(Outcome::Timeout) => {
            fields.insert("error_code".into(), "TIMEOUT".into());
            fields.insert(
                "error_message".into(),
                "The provider did not finish the task in time.".into(),
            );
            ("timeout", true)
        }
    };
    fields.insert("status".into(), status.into());
    fields.insert("ready".into(), ready.into());
    (StatusCode::OK, Json(body)).into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    capability: Option<String>,
}

fn entry(model: &ModelSchema) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("id".into(), model.id.as_ref().into());
    entry.insert("name".into(), model.name.as_ref().into());
    entry.insert("vendor".into(), model.vendor.as_ref().into());
    entry.insert("capability".into(), "video".into());
    entry.insert("category".into(), model.category.as_str().into());
    entry.insert("description".into(), model.description.as_ref().into());
    entry
}

async fn list_models(
    State(shared): State<AppState>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let video = query.capability.as_deref().is_none_or(|c| c == "video");
    let data: Vec<Value> = if video {
        shared
            .models
            .iter()
            .map(|m| Value::Object(entry(m)))
            .collect()
    } else {
        Vec::new()
    };
    Json(json!({"object": "list", "data": data})).into_response()
}

async fn describe_model(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let Some(model) = shared.model(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            format!("unknown model `{id}`"),
        );
    };
    let mut body = entry(model);
    body.insert("input_schema".into(), model.to_json_schema());
    body.insert("example".into(), Value::Object(model.example_input()));
    Json(Value::Object(body)).into_response()
}

async fn download(
    State(shared): State<AppState>,
    Path((task_id, file_name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        CounterCells::bump(&shared.counters.authorized_downloads);
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this file origin refuses requests that carry an Authorization header: never send the hub's key here",
        );
    }
    CounterCells::bump(&shared.counters.downloads);
    let found = shared.tasks().get(&task_id).is_some_and(|task| {
        task.file_name() == file_name
            && matches!(task.phase(Instant::now()), Phase::Done(Outcome::Completed))
    });
    if !found {
        return error(
            StatusCode::NOT_FOUND,
            "file_not_found",
            format!("no file `{task_id}/{file_name}`"),
        );
    }
    let size = shared.video_size;
    let etag = format!("\"{task_id}-{size:x}\"");
    let range = match requested_range(&headers, &etag, size) {
        Ok(range) => range,
        Err(Unsatisfiable) => {
            let mut response = error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("the file has {size} bytes"),
            );
            let headers = response.headers_mut();
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
    };
    let fault = shared.draw(FaultPoint::Download);
    if fault == Some(FaultKind::Slow) {
        tokio::time::sleep(shared.faults.slow).await;
    }
    let (start, len) = match range {
        Some((start, end)) => (start, end - start + 1),
        None => (0, size),
    };
    let body = if fault == Some(FaultKind::TruncatedDownload) {
        let first = video_bytes(size).skip_bytes(start).take_bytes(len / 2);
        // Let the first half reach the socket, then break the body: hyper closes the
        // connection short of the announced length.
        let cut = futures::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "truncated download (fault)",
            ))
        });
        Body::from_stream(first.chain(cut))
    } else if range.is_none() && size == SAMPLE_MP4.len() as u64 {
        Body::from(Bytes::from_static(SAMPLE_MP4))
    } else {
        Body::from_stream(video_bytes(size).skip_bytes(start).take_bytes(len))
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some((start, end)) = range {
        CounterCells::bump(&shared.counters.ranged_downloads);
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
            headers.insert(header::CONTENT_RANGE, value);
        }
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    response
}

/// A `Range` no byte of the file satisfies (answered 416).
#[derive(Debug, PartialEq, Eq)]
struct Unsatisfiable;

/// The byte range (first and last byte, inclusive) a download asks for and gets: a single
/// `bytes=N-` or `bytes=N-M` range, unless `If-Range` names another version than `etag`.
/// `Ok(None)` means the whole file: no `Range`, an `If-Range` that does not match, or a
/// form not served (several ranges, a suffix `bytes=-N`, a malformed header), which HTTP
/// allows a server to ignore.
fn requested_range(
    headers: &HeaderMap,
    etag: &str,
    size: u64,
) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    if headers
        .get(header::IF_RANGE)
        .is_some_and(|if_range| if_range.as_bytes() != etag.as_bytes())
    {
        return Ok(None);
    }
    let Some(spec) = value
        .trim()
        .split_once('=')
        .filter(|(unit, _)| unit.trim().eq_ignore_ascii_case("bytes"))
        .map(|(_, spec)| spec.trim())
    else {
        return Ok(None);
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let number = |text: &str| {
        let text = text.trim();
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    let Some(first) = number(first) else {
        return Ok(None);
    };
    let last = match last.trim() {
        "" => None,
        last => match number(last) {
            Some(last) if last >= first => Some(last),
            _ => return Ok(None),
        },
    };
    if first >= size {
        return Err(Unsatisfiable);
    }
    let end = last.map_or(size - 1, |last| last.min(size - 1));
    Ok(Some((first, end)))
}

/// Zeros for the padding of large videos, shared by every download.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// A video of `size` bytes (at least the fixture's): [`SAMPLE_MP4`], then a top-level MP4
/// `free` box of zeros filling the rest, which players skip. Streamed in 64 KiB pieces of
/// one static buffer: nothing of the size is held in memory.
fn video_bytes(size: u64) -> VideoBytes {
    let fixture = SAMPLE_MP4.len() as u64;
    let padding = size.saturating_sub(fixture);
    let mut header = Vec::new();
    if padding >= 16 && padding > u64::from(u32::MAX) {
        // A 64-bit box size: size field 1, then the real size after the type.
        header.extend_from_slice(&1u32.to_be_bytes());
        header.extend_from_slice(b"free");
        header.extend_from_slice(&padding.to_be_bytes());
    } else if padding >= 8 {
        header.extend_from_slice(&(padding as u32).to_be_bytes());
        header.extend_from_slice(b"free");
    }
    VideoBytes {
        pieces: vec![Bytes::from_static(SAMPLE_MP4), Bytes::from(header.clone())],
        zeros_left: padding.saturating_sub(header.len() as u64),
        limit: u64::MAX,
    }
}

/// The pieces of [`video_bytes`], as a stream.
struct VideoBytes {
    /// Pieces still to send before the zeros, in order.
    pieces: Vec<Bytes>,
    zeros_left: u64,
    /// Bytes still allowed (for a truncated download).
    limit: u64,
}

impl VideoBytes {
    /// Ends the stream after `limit` bytes.
    fn take_bytes(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Starts the stream `skip` bytes in, without producing the skipped bytes.
    fn skip_bytes(mut self, mut skip: u64) -> Self {
        while skip > 0 {
            let Some(first) = self.pieces.first_mut() else {
                break;
            };
            let len = first.len() as u64;
            if len <= skip {
                self.pieces.remove(0);
                skip -= len;
            } else {
                // `skip` < `len`, a `usize`.
                *first = first.slice(skip as usize..);
                skip = 0;
            }
        }
        self.zeros_left = self.zeros_left.saturating_sub(skip);
        self
    }

    fn next_piece(&mut self) -> Option<Bytes> {
        let mut piece = loop {
            if !self.pieces.is_empty() {
                let piece = self.pieces.remove(0);
                if piece.is_empty() {
                    continue;
                }
                break piece;
            }
            if self.zeros_left == 0 {
                return None;
            }
            let n = self.zeros_left.min(ZEROS.len() as u64);
            self.zeros_left -= n;
            break Bytes::from_static(&ZEROS[..n as usize]);
        };
        if self.limit == 0 {
            return None;
        }
        if piece.len() as u64 > self.limit {
            piece.truncate(self.limit as usize);
        }
        self.limit -= piece.len() as u64;
        Some(piece)
    }
}

impl futures::Stream for VideoBytes {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.next_piece().map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(stream: VideoBytes) -> Vec<u8> {
        let mut stream = stream;
        let mut out = Vec::new();
        while let Some(piece) = stream.next_piece() {
            out.extend_from_slice(&piece);
        }
        out
    }

    #[test]
    fn large_videos_are_the_fixture_and_a_free_box() {
        let fixture = SAMPLE_MP4.len();
        assert_eq!(collect(video_bytes(fixture as u64)), SAMPLE_MP4);
        let size = fixture + 200_000;
        let video = collect(video_bytes(size as u64));
        assert_eq!(video.len(), size);
        assert_eq!(&video[..fixture], SAMPLE_MP4);
        assert_eq!(&video[fixture..fixture + 4], &200_000u32.to_be_bytes());
        assert_eq!(&video[fixture + 4..fixture + 8], b"free");
        assert!(video[fixture + 8..].iter().all(|b| *b == 0));
        let half = collect(video_bytes(size as u64).take_bytes(size as u64 / 2));
        assert_eq!(half.len(), size / 2);
        // A box beyond 4 GiB takes the 64-bit size form (checked without streaming it).
        let mut huge = video_bytes(5 << 30);
        huge.next_piece();
        let header = huge.next_piece().expect("header");
        assert_eq!(&header[..8], b"\0\0\0\x01free");
        assert_eq!(&header[8..], &((5u64 << 30) - fixture as u64).to_be_bytes());
    }

    #[test]
    fn skipping_gives_the_slice_of_the_whole_video() {
        let fixture = SAMPLE_MP4.len() as u64;
        let size = fixture + 200_000;
        let whole = collect(video_bytes(size));
        for skip in [
            0,
            1,
            fixture - 1,
            fixture,
            fixture + 3,
            fixture + 8,
            fixture + 70_000,
            size - 1,
            size,
            size + 5,
        ] {
            let rest = collect(video_bytes(size).skip_bytes(skip));
            let from = usize::try_from(skip.min(size)).expect("small");
            assert_eq!(rest, whole[from..], "skip {skip}");
            let part = collect(video_bytes(size).skip_bytes(skip).take_bytes(10));
            assert_eq!(
                part,
                whole[from..(from + 10).min(whole.len())],
                "skip {skip}"
            );
        }
        // A skip into the zeros of a huge video does not produce them.
        let mut huge = video_bytes(5 << 30).skip_bytes((5 << 30) - 3);
        assert_eq!(huge.next_piece().as_deref(), Some(&[0u8, 0, 0][..]));
        assert_eq!(huge.next_piece(), None);
    }

    #[test]
    fn ranges_are_single_and_within_the_file() {
        let etag = "\"t-64\"";
        let ask = |range: &str, if_range: Option<&str>| {
            let mut headers = HeaderMap::new();
            headers.insert(header::RANGE, HeaderValue::from_str(range).expect("header"));
            if let Some(v) = if_range {
                headers.insert(header::IF_RANGE, HeaderValue::from_str(v).expect("header"));
            }
            requested_range(&headers, etag, 100)
        };
        assert_eq!(requested_range(&HeaderMap::new(), etag, 100), Ok(None));
        assert_eq!(ask("bytes=0-", None), Ok(Some((0, 99))));
        assert_eq!(ask("bytes=40-", Some(etag)), Ok(Some((40, 99))));
        assert_eq!(ask("bytes=10-19", None), Ok(Some((10, 19))));
        assert_eq!(ask("bytes=90-500", None), Ok(Some((90, 99))));
        assert_eq!(ask("bytes=99-99", None), Ok(Some((99, 99))));
        assert_eq!(ask("bytes=100-", None), Err(Unsatisfiable));
        assert_eq!(ask("bytes=18446744073709551615-", None), Err(Unsatisfiable));
        assert_eq!(ask("bytes=40-", Some("\"other\"")), Ok(None));
        for ignored in [
            "bytes=-10",
            "bytes=0-1,5-6",
            "bytes=20-10",
            "items=0-1",
            "bytes=x-",
            "bytes=+1-",
            "bytes",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(ask(ignored, None), Ok(None), "{ignored}");
        }
    }
}
