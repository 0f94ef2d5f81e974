//! `POST /hub/v1/video` and `POST /hub/v1/image`: validates the request against the
//! model's schema and creates a task with a seeded duration and outcome.

use std::time::{Duration, Instant, SystemTime};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use videohub::Capability;

use super::super::state::{CounterCells, Shared};
use super::super::{AppState, error, timestamp};
use crate::builder::SubmitShape;
use crate::faults::{FaultKind, FaultPoint, rng_for};
use crate::tasks::{Outcome, Task};

/// Streams of the seeded generator besides the fault points.
const STREAM_DURATION: u64 = 100;
const STREAM_TASK_ID: u64 = 101;
const STREAM_FAILURE: u64 = 102;

/// The handler of the endpoint of `capability`, behind the API's gate.
pub(in crate::server) async fn submit(
    State(shared): State<AppState>,
    capability: Capability,
    body: Bytes,
) -> Response {
    create_task(&shared, capability, &body)
}

#[derive(Deserialize)]
struct SubmitBody {
    model: Option<Value>,
    input: Option<Value>,
}

fn invalid(param: &str, message: String) -> Response {
    let body = json!({"error": "invalid_input", "message": message, "errors": [{"param": param, "message": message}]});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn create_task(shared: &Shared, capability: Capability, body: &[u8]) -> Response {
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
    let generates = schema.category.capability();
    if generates != capability {
        return error(
            StatusCode::BAD_REQUEST,
            "wrong_capability",
            format!(
                "model `{model_id}` belongs to the `{generates}` capability: submit it to POST {}",
                generates.endpoint()
            ),
        );
    }
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
        capability,
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
            "capability": capability.as_str(),
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
    let a = rng.u128(..);
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
