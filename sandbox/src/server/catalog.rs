//! `GET /hub/v1/models` and `GET /hub/v1/models/{model}`: the models the sandbox serves.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use videohub::ModelSchema;

use super::{AppState, error};

#[derive(Deserialize)]
pub(super) struct ListQuery {
    capability: Option<String>,
}

fn entry(model: &ModelSchema) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("id".into(), model.id.as_ref().into());
    entry.insert("name".into(), model.name.as_ref().into());
    entry.insert("vendor".into(), model.vendor.as_ref().into());
    let capability = model.category.capability();
    entry.insert("capability".into(), capability.as_str().into());
    entry.insert("category".into(), model.category.as_str().into());
    entry.insert("description".into(), model.description.as_ref().into());
    entry
}

pub(super) async fn list_models(
    State(shared): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Response {
    let wanted = |m: &&ModelSchema| {
        let capability = m.category.capability().as_str();
        query.capability.as_deref().is_none_or(|c| c == capability)
    };
    let data: Vec<Value> = shared
        .models
        .iter()
        .filter(wanted)
        .map(|m| Value::Object(entry(m)))
        .collect();
    Json(json!({"object": "list", "data": data})).into_response()
}

pub(super) async fn describe_model(
    State(shared): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let Some(model) = shared.model(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            format!("unknown model `{id}`"),
        );
    };
    let mut body = entry(model);
    let schema = shared.input_schemas.get(&id).cloned();
    body.insert(
        "input_schema".into(),
        schema.unwrap_or_else(|| model.to_json_schema()),
    );
    body.insert("example".into(), Value::Object(model.example_input()));
    Json(Value::Object(body)).into_response()
}
