//! `GET /hub/v1/tasks/{task_id}`: the task's state at the time of the poll.

use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::super::state::Shared;
use super::super::{AppState, error, timestamp};
use crate::tasks::{Outcome, Phase};

/// The handler, behind the API's gate.
pub(in crate::server) async fn poll(
    State(shared): State<AppState>,
    Path(task_id): Path<String>,
) -> Response {
    task_status(&shared, &task_id)
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
        "capability": task.capability.as_str(),
        "created_at": timestamp(task.created_at),
        "elapsed_ms": elapsed.as_millis() as u64,
    });
    let fields = body.as_object_mut().expect("an object literal");
    let (status, ready) = match phase {
        Phase::Pending => ("pending", false),
        Phase::Processing => ("processing", false),
        Phase::Done(Outcome::Completed) => {
            let file_name = task.file_name();
            let Some(file) = shared.sample(task.media()) else {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "no_sample",
                    format!("the sandbox has no sample {} to serve", task.media()),
                );
            };
            let mut data = serde_json::Map::new();
            data.insert(
                task.media().as_str().into(),
                json!({
                    "url": format!("{}/files/{}/{}", shared.files_url, task.id, file_name),
                    "content_type": file.content_type,
                    "file_name": file_name,
                    "file_size": file.size,
                }),
            );
            fields.insert("data".into(), data.into());
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
