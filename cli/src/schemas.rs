//! Models' schemas as the commands need them: compiled, or read from the live hub.

use videohub::schema::{LiveSchema, ValidationErrors};
use videohub::{JsonObject, ModelSchema};

use crate::hub::{Hub, api};
use crate::output::Failure;

/// The schema of `id`, compiled or the live hub's view of it; an unknown id is a usage
/// error that suggests the closest compiled one.
pub(crate) async fn resolve(hub: &Hub, id: &str) -> Result<ModelSchema, Failure> {
    match videohub::models::resolve(&hub.client, id).await {
        Ok(schema) => Ok(schema.into_owned()),
        Err(videohub::Error::NotFound { .. }) => Err(unknown(id)),
        Err(error) => Err(api(error)),
    }
}

/// A model's schema with what checks its inputs: the compiled schema, or the live hub's
/// JSON Schema compiled by a validator.
pub(crate) enum Checked {
    /// A model compiled into videohub.
    Compiled(&'static ModelSchema),
    /// A model read from the live hub.
    Live(Box<LiveSchema>),
}

impl Checked {
    /// The schema's view: parameters, types, values, limits.
    pub(crate) fn view(&self) -> &ModelSchema {
        match self {
            Checked::Compiled(schema) => schema,
            Checked::Live(live) => live.view(),
        }
    }

    /// Checks `input` against the schema.
    pub(crate) fn validate(&self, input: &JsonObject) -> Result<(), ValidationErrors> {
        match self {
            Checked::Compiled(schema) => schema.validate_input(input),
            Checked::Live(live) => live.validate(input),
        }
    }
}

/// [`resolve`], with the live hub's JSON Schema compiled for a model videohub does not
/// compile.
pub(crate) async fn resolve_checked(hub: &Hub, id: &str) -> Result<Checked, Failure> {
    if let Some(schema) = videohub::models::find(id) {
        return Ok(Checked::Compiled(schema));
    }
    match hub.client.live_schema(id).await {
        Ok(live) => Ok(Checked::Live(Box::new(live))),
        Err(videohub::Error::NotFound { .. }) => Err(unknown(id)),
        Err(error) => Err(api(error)),
    }
}

/// The error for a model id neither compiled nor on the hub.
pub(crate) fn unknown(id: &str) -> Failure {
    let ids = videohub::models::catalog().iter().map(|m| m.id.as_ref());
    let hint = videohub::schema::suggest(id, ids)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Failure::usage(format!(
        "unknown model `{id}`{hint}; `videohub models list` shows them all"
    ))
}
