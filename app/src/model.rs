//! A model id resolved to what checks its inputs: the compiled schema, or the live hub's
//! JSON Schema compiled by a validator. An id neither compiled nor on the hub is
//! [`ResolveError::Unknown`], with the closest compiled id as a suggestion.

use std::borrow::Cow;
use std::fmt;

use videohub::schema::{LiveSchema, ModelSchema, ValidationErrors};
use videohub::{Client, JsonObject};

/// A model resolved from its id.
#[derive(Debug)]
pub enum Model {
    /// A model compiled into videohub.
    Compiled(&'static ModelSchema),
    /// A model read from the live hub.
    Live(Box<LiveSchema>),
}

impl Model {
    /// The schema's view: parameters, types, values, limits.
    pub fn view(&self) -> &ModelSchema {
        match self {
            Model::Compiled(schema) => schema,
            Model::Live(live) => live.view(),
        }
    }

    /// The model's id.
    pub fn id(&self) -> &str {
        &self.view().id
    }

    /// Whether videohub compiles the model.
    pub fn is_compiled(&self) -> bool {
        matches!(self, Model::Compiled(_))
    }

    /// Checks `input` against the model: the compiled rules, or the live JSON Schema.
    pub fn validate(&self, input: &JsonObject) -> Result<(), ValidationErrors> {
        match self {
            Model::Compiled(schema) => schema.validate_input(input),
            Model::Live(live) => live.validate(input),
        }
    }
}

/// Why a model id could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Neither compiled nor on the hub.
    #[error("unknown model `{id}`{}", Suggestion(suggestion.as_deref()))]
    Unknown {
        /// The id asked for.
        id: String,
        /// The closest compiled id, when one is close.
        suggestion: Option<String>,
    },
    /// The hub could not be asked for it, or its schema cannot be used.
    #[error("cannot read the schema of `{id}` from the hub: {source}")]
    Hub {
        /// The id asked for.
        id: String,
        /// What went wrong.
        source: videohub::Error,
    },
}

/// ` (did you mean `x`?)`, or nothing.
struct Suggestion<'a>(Option<&'a str>);

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (did you mean `{id}`?)"),
            None => Ok(()),
        }
    }
}

impl ResolveError {
    /// The error for an id neither compiled nor on the hub, with the closest compiled id.
    ///
    /// ```
    /// let error = videohub_app::ResolveError::unknown("veo-31");
    /// assert_eq!(error.to_string(), "unknown model `veo-31` (did you mean `veo-3.1`?)");
    /// ```
    pub fn unknown(id: &str) -> ResolveError {
        let ids = videohub::models::catalog().iter().map(|m| m.id.as_ref());
        ResolveError::Unknown {
            id: id.to_owned(),
            suggestion: videohub::schema::suggest(id, ids).map(|s| s.to_string()),
        }
    }

    fn from_hub(id: &str, source: videohub::Error) -> ResolveError {
        match source {
            videohub::Error::NotFound { .. } => ResolveError::unknown(id),
            source => ResolveError::Hub {
                id: id.to_owned(),
                source,
            },
        }
    }
}

/// Model `id`: compiled when videohub knows it, else the live hub's JSON Schema, compiled.
pub async fn resolve(client: &Client, id: &str) -> Result<Model, ResolveError> {
    if let Some(schema) = videohub::models::find(id) {
        return Ok(Model::Compiled(schema));
    }
    match client.live_schema(id).await {
        Ok(live) => Ok(Model::Live(Box::new(live))),
        Err(error) => Err(ResolveError::from_hub(id, error)),
    }
}

/// The schema of model `id`: the compiled one, else the live hub's view of it, without
/// compiling its JSON Schema (what a model's description and a batch line read).
pub async fn view(client: &Client, id: &str) -> Result<Cow<'static, ModelSchema>, ResolveError> {
    match videohub::models::find(id) {
        Some(schema) => Ok(Cow::Borrowed(schema)),
        None => live_view(client, id).await.map(Cow::Owned),
    }
}

/// The schema of model `id` as the live hub describes it, compiled into videohub or not
/// (what `models codegen` writes source from).
pub async fn live_view(client: &Client, id: &str) -> Result<ModelSchema, ResolveError> {
    client
        .model_schema(id)
        .await
        .map_err(|error| ResolveError::from_hub(id, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_id_suggests_the_closest_compiled_one_or_nothing() {
        assert_eq!(
            ResolveError::unknown("kling-v3").to_string(),
            "unknown model `kling-v3` (did you mean `kling-v3-pro`?)"
        );
        assert_eq!(
            ResolveError::unknown("zzzzzzzz").to_string(),
            "unknown model `zzzzzzzz`"
        );
    }
}
