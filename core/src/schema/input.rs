//! What checks a model's input before it is sent, whatever knows the model: its compiled
//! [`ModelSchema`], or the live hub's JSON Schema ([`LiveSchema`](super::LiveSchema)).

use serde_json::{Map, Value};
use videohub_vocab::Capability;

use super::{ModelSchema, ValidationErrors};

/// A model's input rules, for [`Client::submit_checked`](crate::Client::submit_checked):
/// the dynamic counterpart of a compiled model's `validate()`.
///
/// ```
/// use videohub_core::schema::InputSchema;
/// # let schema = videohub_core::schema::ModelSchema {
/// #     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
/// #     category: videohub_core::schema::Category::TextToVideo, description: "".into(),
/// #     params: std::borrow::Cow::Owned(vec![{
/// #         let mut p = videohub_core::schema::ParamSchema::new("prompt", videohub_core::schema::ParamType::String);
/// #         p.required = true; p }]),
/// #     image_inputs: None, constraints: std::borrow::Cow::Borrowed(&[]),
/// # };
/// let input = serde_json::json!({"prompt": "a fox"});
/// assert!(schema.check(input.as_object().unwrap()).is_ok());
/// assert!(schema.check(&serde_json::Map::new()).is_err()); // `prompt` is required
/// assert_eq!(schema.model_id(), "demo");
/// ```
pub trait InputSchema {
    /// The model's id on the hub.
    fn model_id(&self) -> &str;

    /// What the model generates, which says where its submits go.
    fn capability(&self) -> Capability;

    /// Every problem of `input`, or `Ok` when the hub should take it.
    fn check(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors>;
}

impl InputSchema for ModelSchema {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn capability(&self) -> Capability {
        self.category.capability()
    }

    fn check(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors> {
        self.validate_input(input)
    }
}

#[cfg(feature = "live-schema")]
impl InputSchema for super::LiveSchema {
    fn model_id(&self) -> &str {
        &self.view().id
    }

    fn capability(&self) -> Capability {
        self.view().category.capability()
    }

    fn check(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors> {
        self.validate(input)
    }
}

/// A schema borrowed or owned, as [`videohub::models::resolve`] gives it.
///
/// [`videohub::models::resolve`]: https://docs.rs/videohub/latest/videohub/models/fn.resolve.html
impl<S: InputSchema + Clone> InputSchema for std::borrow::Cow<'_, S> {
    fn model_id(&self) -> &str {
        self.as_ref().model_id()
    }

    fn capability(&self) -> Capability {
        self.as_ref().capability()
    }

    fn check(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors> {
        self.as_ref().check(input)
    }
}
