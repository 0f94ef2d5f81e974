//! Models as the commands resolve them (through the application layer), with the command
//! line's word for an id it does not know.

use std::borrow::Cow;

use videohub::ModelSchema;
use videohub_app::{Model, ResolveError};

use crate::hub::{Hub, api};
use crate::output::Failure;

/// Model `id`, compiled or the live hub's JSON Schema, compiled.
pub(crate) async fn resolve(hub: &Hub, id: &str) -> Result<Model, Failure> {
    videohub_app::model::resolve(&hub.client, id)
        .await
        .map_err(failure)
}

/// The schema of model `id`, compiled or the live hub's view of it.
pub(crate) async fn view(hub: &Hub, id: &str) -> Result<Cow<'static, ModelSchema>, Failure> {
    videohub_app::model::view(&hub.client, id)
        .await
        .map_err(failure)
}

/// The live hub's schema of model `id`.
pub(crate) async fn live_view(hub: &Hub, id: &str) -> Result<ModelSchema, Failure> {
    videohub_app::model::live_view(&hub.client, id)
        .await
        .map_err(failure)
}

/// An unknown id is a usage error pointing at `models list`; the hub's failures keep their
/// exit codes.
fn failure(error: ResolveError) -> Failure {
    match error {
        unknown @ ResolveError::Unknown { .. } => {
            Failure::usage(format!("{unknown}; `videohub models list` shows them all"))
        }
        ResolveError::Hub { source, .. } => api(source),
    }
}
