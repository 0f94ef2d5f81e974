//! [`ModelSchema`]: one model's schema, and its whole API in one place. Each method's work is
//! done in the module named for it: `read` (from JSON Schema), `json_schema` (to JSON Schema,
//! an example input), `validate` (an input checked), `diff` (two schemas compared).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    Category, Constraint, Difference, ImageInputs, ParamSchema, Text, ValidationErrors, diff,
    json_schema, read, validate,
};

/// Everything the hub needs to know about one model's input.
///
/// A compiled model's is `M::SCHEMA`; one read at run time comes from the hub's JSON
/// Schema:
///
/// ```
/// use videohub_core::schema::{ModelSchema, ParamType};
///
/// let json_schema = serde_json::json!({
///     "type": "object",
///     "required": ["prompt"],
///     "properties": {
///         "prompt": {"type": "string", "maxLength": 500},
///         "resolution": {"type": "string", "enum": ["720p", "1080p"], "default": "720p"},
///     },
/// });
/// let schema = ModelSchema::from_json_schema("acme-1", &json_schema);
/// let prompt = schema.param("prompt").unwrap();
/// assert!(prompt.required);
/// assert_eq!(prompt.ty, ParamType::String);
/// let input = serde_json::json!({"prompt": "a fox", "resolution": "4k"});
/// let errors = schema.validate_input(input.as_object().unwrap()).unwrap_err();
/// assert_eq!(errors.errors()[0].param, "resolution");
/// assert_eq!(schema.to_json_schema()["required"], serde_json::json!(["prompt"]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSchema {
    /// The hub's model id, e.g. `veo-3.1`.
    pub id: Text,
    /// A human-readable name, e.g. `Veo 3.1`.
    pub name: Text,
    /// Who makes the model, e.g. `Google`.
    pub vendor: Text,
    /// What kind of generation the model does; the id alone selects it on the hub.
    pub category: Category,
    /// One sentence on what the model is for.
    #[serde(default)]
    pub description: Text,
    /// Every parameter of `input`, in declaration order.
    pub params: Cow<'static, [ParamSchema]>,
    /// The images (or videos) the model takes, if any.
    #[serde(default)]
    pub image_inputs: Option<ImageInputs>,
    /// Rules that involve several parameters.
    #[serde(default)]
    pub constraints: Cow<'static, [Constraint]>,
}

impl ModelSchema {
    /// The parameter with this wire name.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![ParamSchema::new("prompt", ParamType::String)]),
    ///     image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// assert!(schema.param("prompt").is_some());
    /// assert!(schema.param("promt").is_none());
    /// ```
    pub fn param(&self, name: &str) -> Option<&ParamSchema> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Reads a JSON Schema of a model's `input` leniently; `id` is the model's id.
    ///
    /// The inverse of [`ModelSchema::to_json_schema`], and the reader of live schemas as
    /// gateways publish them. The name comes from `title` (the id when absent), the category
    /// from `x-category` (guessed from the image list when absent), and each property becomes
    /// a parameter. Nothing in the schema is an error: what cannot be read is left out.
    pub fn from_json_schema(id: &str, schema: &Value) -> ModelSchema {
        read::from_json_schema(id, schema)
    }

    /// The JSON Schema of the model's `input` object.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let mut prompt = ParamSchema::new("prompt", ParamType::String);
    /// prompt.required = true;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![prompt]), image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let json = schema.to_json_schema();
    /// assert_eq!(json["properties"]["prompt"]["type"], "string");
    /// assert_eq!(json["required"][0], "prompt");
    /// assert_eq!(ModelSchema::from_json_schema("demo", &json), schema);
    /// ```
    pub fn to_json_schema(&self) -> Value {
        json_schema::to_json_schema(self)
    }

    /// An `input` that passes [`ModelSchema::validate_input`]: every required parameter,
    /// the first parameter of each exactly-one-of rule, and the fewest images allowed (as
    /// example URLs). Values are the default, else the first allowed value, else the
    /// lower bound of the range, else a plain example of the type.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let mut prompt = ParamSchema::new("prompt", ParamType::String);
    /// prompt.required = true;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![prompt]), image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let example = schema.example_input();
    /// assert!(example["prompt"].is_string());
    /// assert!(schema.validate_input(&example).is_ok());
    /// ```
    pub fn example_input(&self) -> Map<String, Value> {
        json_schema::example_input(self)
    }

    /// Checks a JSON `input` object against the schema: unknown parameters (with a
    /// suggestion), missing required ones, types, allowed values, ranges, lengths,
    /// constraints between parameters and the number of images.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let mut prompt = ParamSchema::new("prompt", ParamType::String);
    /// prompt.required = true;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![prompt]), image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let input = serde_json::json!({"promt": "a fox"});
    /// let errors = schema.validate_input(input.as_object().unwrap()).unwrap_err();
    /// assert_eq!(
    ///     errors.to_string(),
    ///     "parameter `promt`: is not a parameter of this model (did you mean `prompt`?); \
    ///      parameter `prompt`: is required but was not given"
    /// );
    /// ```
    ///
    /// Every unknown parameter is reported; only the first [`MAX_SUGGESTIONS`](super::MAX_SUGGESTIONS) of them are
    /// compared with the model's parameters for a suggestion, so that the work stays linear
    /// in the size of the input and of the schema.
    pub fn validate_input(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors> {
        validate::validate_input(self, input)
    }

    /// Every difference between this (compiled) schema and `live`, the hub's, in parameter
    /// order: parameters added or removed, types, required flags, defaults, allowed values,
    /// ranges, lengths, and the image rule.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let compiled = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![ParamSchema::new("prompt", ParamType::String)]),
    ///     image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let mut live = compiled.clone();
    /// live.params.to_mut().push(ParamSchema::new("seed", ParamType::Integer));
    /// let diffs = compiled.diff(&live);
    /// assert_eq!(diffs.len(), 1);
    /// assert_eq!(diffs[0].to_string(), "`seed`: added on the hub");
    /// ```
    pub fn diff(&self, live: &ModelSchema) -> Vec<Difference> {
        diff::diff(self, live)
    }
}
