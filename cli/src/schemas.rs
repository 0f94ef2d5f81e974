//! Models' schemas as the commands need them: compiled, or read from the live hub.

use videohub::ModelSchema;

use crate::hub::{Hub, api};
use crate::output::Failure;

/// The schema of `id`, compiled or the live hub's; an unknown id is a usage error that
/// suggests the closest compiled one.
pub(crate) async fn resolve(hub: &Hub, id: &str) -> Result<ModelSchema, Failure> {
    match videohub::models::resolve(&hub.client, id).await {
        Ok(schema) => Ok(schema.into_owned()),
        Err(videohub::Error::NotFound { .. }) => Err(crate::models::unknown(id)),
        Err(error) => Err(api(error)),
    }
}
