//! The models a sandbox serves: those compiled into `videohub`, or a model list read from
//! JSON.

use videohub::ModelSchema;

/// The error of reading a model list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelsError {
    /// The text is not JSON.
    #[error("the model list is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Neither a list nor an object with a `models` list.
    #[error("the model list is neither a JSON array nor an object with a `models` array")]
    NoList,
    /// One entry is not a model schema.
    #[error("model #{index} ({id}) cannot be read: {source}")]
    Entry {
        /// Its position in the list, from 0.
        index: usize,
        /// Its `id`, or `?`.
        id: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// Reads a list of model schemas in the hub's model-list layout: a JSON array, or an
/// object with a `models` array (like `tests/fixtures/models.json`). Fields a
/// [`ModelSchema`] does not have are ignored.
pub fn load_models(json: &str) -> Result<Vec<ModelSchema>, ModelsError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    let list = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(map) => map
            .get("models")
            .and_then(|m| m.as_array())
            .ok_or(ModelsError::NoList)?,
        _ => return Err(ModelsError::NoList),
    };
    list.iter()
        .enumerate()
        .map(|(index, entry)| {
            serde_json::from_value(entry.clone()).map_err(|source| ModelsError::Entry {
                index,
                id: entry
                    .get("id")
                    .and_then(|i| i.as_str())
                    .unwrap_or("?")
                    .to_owned(),
                source,
            })
        })
        .collect()
}

/// Every model compiled into the `videohub` crate, the sandbox's default.
pub fn compiled_models() -> Vec<ModelSchema> {
    videohub::models::catalog()
        .iter()
        .map(|m| (*m).clone())
        .collect()
}
