//! The two origins: the hub's API and the file origin that serves finished files.
//!
//! - `state`: what every handler shares (configuration, tasks, counters, fault draws);
//! - `gate`: the middleware every API request passes first (count, authorise, fault);
//! - `api`: submit and poll;
//! - `catalog`: the model list and schemas;
//! - `files`: the file origin.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde_json::json;

use videohub::vocab::{MODELS_PATH, TASKS_PATH};

use crate::fixtures::CAPABILITIES;
use crate::handle::Counters;

mod api;
mod catalog;
mod files;
mod gate;
mod state;

pub(crate) use state::Shared;

use gate::Gate;

/// The state every handler gets.
type AppState = Arc<Shared>;

/// The hub's API.
pub(crate) fn api(shared: AppState) -> Router {
    let mut router = Router::new();
    for capability in CAPABILITIES {
        let submit = move |state, body| api::submit::submit(state, capability, body);
        router = router.route(
            capability.endpoint(),
            gated(post(submit), &shared, Gate::Submit),
        );
    }
    router
        .route(
            &format!("{TASKS_PATH}/{{task_id}}"),
            gated(get(api::poll::poll), &shared, Gate::Poll),
        )
        .route(
            MODELS_PATH,
            gated(get(catalog::list_models), &shared, Gate::Catalog),
        )
        .route(
            &format!("{MODELS_PATH}/{{model}}"),
            gated(get(catalog::describe_model), &shared, Gate::Catalog),
        )
        .route("/__sandbox/counters", get(counters))
        .fallback(not_found)
        .with_state(shared)
}

/// The file origin.
pub(crate) fn files(shared: AppState) -> Router {
    Router::new()
        .route("/files/{task_id}/{file_name}", get(files::download))
        .fallback(not_found)
        .with_state(shared)
}

/// `route` behind the API's [`gate`](gate::gate) for requests of kind `gate` (a method
/// the route does not serve is answered 405 without passing it).
fn gated(route: MethodRouter<AppState>, shared: &AppState, gate: Gate) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn_with_state(
        (shared.clone(), gate),
        gate::gate,
    ))
}

/// An error answer: `{"error": code, "message": message}`.
pub(super) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}

pub(super) fn unauthorized() -> Response {
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

pub(super) fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}
