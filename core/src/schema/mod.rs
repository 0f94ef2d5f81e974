//! The static description of a model: its parameters, their types, defaults, allowed values
//! and limits.
//!
//! Every `#[video_model]` struct carries a [`ModelSchema`] in
//! [`Model::SCHEMA`](crate::Model::SCHEMA). The same type also holds schemas read
//! at run time (a catalog fixture, the live hub), which is why its strings and lists are
//! [`Cow`]s: borrowed for compiled models, owned for parsed ones. Serialized, a schema has
//! the layout of an entry of the hub's model list (`id`, `name`, `vendor`, `category`,
//! `description`, `params`, `image_inputs`, `constraints`).

mod diff;
mod input;
mod json_schema;
mod literal;
#[cfg(feature = "live-schema")]
mod live;
mod media_param;
mod model_schema;
mod normalize;
mod read;
pub(crate) mod validate;

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use diff::Difference;
pub use input::InputSchema;
pub use literal::Literal;
#[cfg(feature = "live-schema")]
pub use live::{InvalidSchema, LiveSchema};
pub use model_schema::ModelSchema;
pub use normalize::{MAX_DEPTH, normalize};
pub use validate::{MAX_SUGGESTIONS, ParamError, Problem, ValidationErrors, suggest};
pub use videohub_vocab::{Category, Input, UnknownCategory};

/// A string that is `&'static` in compiled schemas and owned in parsed ones.
pub type Text = Cow<'static, str>;

/// The JSON type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// A JSON number (integer or fraction).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON array; see [`ParamSchema::items`].
    Array,
    /// A JSON object.
    Object,
}

impl ParamType {
    /// The schema name of the type, e.g. `integer`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Object => "object",
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter of a model's `input`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSchema {
    /// The wire name, e.g. `aspect_ratio`.
    pub name: Text,
    /// The JSON type of the value.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Whether the hub rejects a request without it.
    #[serde(default)]
    pub required: bool,
    /// The value the hub uses when the parameter is absent.
    #[serde(default)]
    pub default: Option<Literal>,
    /// The only values allowed, when the parameter is enumerated.
    #[serde(default)]
    pub values: Option<Cow<'static, [Literal]>>,
    /// The inclusive range of a numeric parameter.
    #[serde(default)]
    pub range: Option<Range>,
    /// The maximum length of a string, in characters.
    #[serde(default)]
    pub max_length: Option<u32>,
    /// The shape of each element of an array parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// What the parameter does.
    #[serde(default)]
    pub description: Text,
    /// What JSON Schema says of the value beyond its type, values, range and length.
    #[serde(flatten)]
    pub more: More,
}

/// The rest of what a JSON Schema says of one value: what a live schema may hold and a
/// compiled model rarely does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct More {
    /// Whether `null` is accepted, meaning no value.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// The minimum length of a string, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// A regular expression (ECMA 262) a string must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Text>,
    /// The format of a string, e.g. `uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Text>,
    /// The media type of a string's content (`contentMediaType`), e.g. `image/png`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_media_type: Option<Text>,
    /// The fewest elements of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// The most elements of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// For a value of several shapes (e.g. an object or one of some names): every shape, of
    /// which the parameter's own type, values and limits are the first scalar one.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub variants: Cow<'static, [ParamSchema]>,
}

impl More {
    /// Nothing more: the value of every compiled parameter.
    pub const NONE: More = More {
        nullable: false,
        min_length: None,
        pattern: None,
        format: None,
        content_media_type: None,
        min_items: None,
        max_items: None,
        variants: Cow::Borrowed(&[]),
    };
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ParamSchema {
    /// An optional parameter of the given type with no default, values or limits.
    pub const fn new(name: &'static str, ty: ParamType) -> Self {
        ParamSchema {
            name: Cow::Borrowed(name),
            ty,
            required: false,
            default: None,
            values: None,
            range: None,
            max_length: None,
            items: None,
            description: Cow::Borrowed(""),
            more: More::NONE,
        }
    }
}

/// The bounds of a numeric parameter; either side may be open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// The smallest allowed value, when there is one.
    #[serde(default)]
    pub min: Option<Literal>,
    /// The largest allowed value, when there is one.
    #[serde(default)]
    pub max: Option<Literal>,
    /// Whether `min` itself is excluded.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive_min: bool,
    /// Whether `max` itself is excluded.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive_max: bool,
}

impl Range {
    /// The inclusive range `min..=max`.
    pub const fn inclusive(min: Literal, max: Literal) -> Range {
        Range {
            min: Some(min),
            max: Some(max),
            exclusive_min: false,
            exclusive_max: false,
        }
    }

    /// Whether `value` lies within the bounds.
    pub fn contains(&self, value: f64) -> bool {
        let above = match self.min.as_ref().and_then(Literal::as_f64) {
            Some(min) if self.exclusive_min => value > min,
            Some(min) => value >= min,
            None => true,
        };
        let below = match self.max.as_ref().and_then(Literal::as_f64) {
            Some(max) if self.exclusive_max => value < max,
            Some(max) => value <= max,
            None => true,
        };
        above && below
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.min, &self.max) {
            (Some(min), Some(max)) if !self.exclusive_min && !self.exclusive_max => {
                write!(f, "{min}..={max}")
            }
            (min, max) => {
                let low = min.as_ref().map(|m| {
                    let op = if self.exclusive_min { ">" } else { "≥" };
                    format!("{op} {m}")
                });
                let high = max.as_ref().map(|m| {
                    let op = if self.exclusive_max { "<" } else { "≤" };
                    format!("{op} {m}")
                });
                let parts: Vec<String> = low.into_iter().chain(high).collect();
                f.write_str(&parts.join(" and "))
            }
        }
    }
}

/// The elements of an array parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Items {
    /// The JSON type of each element.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// For elements that are objects: their fields. Read from a list of parameters, or
    /// leniently from a map of field names to type names (`{"prompt": "string"}`).
    #[serde(default, deserialize_with = "fields_from_list_or_map")]
    pub fields: Cow<'static, [ParamSchema]>,
}

fn fields_from_list_or_map<'de, D>(deserializer: D) -> Result<Cow<'static, [ParamSchema]>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Fields {
        List(Vec<ParamSchema>),
        Map(std::collections::BTreeMap<String, String>),
    }
    let fields = match Fields::deserialize(deserializer)? {
        Fields::List(list) => list,
        Fields::Map(map) => {
            let mut list = Vec::with_capacity(map.len());
            for (name, ty) in map {
                // "string (same values as duration)": the type is the first word.
                let ty = ty.split_whitespace().next().unwrap_or_default();
                let ty =
                    ParamType::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(ty))?;
                let mut param = ParamSchema::new("", ty);
                param.name = Cow::Owned(name);
                list.push(param);
            }
            list
        }
    };
    Ok(Cow::Owned(fields))
}

/// The images a model takes, sent as a list under one parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInputs {
    /// The wire name of the list, `image_urls` on the hub.
    pub param: Text,
    /// The fewest images allowed.
    pub min: u32,
    /// The most images allowed.
    pub max: u32,
    /// What each position means, e.g. first frame, last frame.
    #[serde(default)]
    pub roles: Cow<'static, [Text]>,
}

/// A rule that involves several parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// What the rule demands of the parameters.
    pub kind: ConstraintKind,
    /// The wire names of the parameters involved.
    pub params: Cow<'static, [Text]>,
}

/// The kinds of [`Constraint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// Exactly one of the parameters must be given.
    ExactlyOneOf,
    /// At most one of the parameters may be given.
    AtMostOneOf,
}

impl ConstraintKind {
    /// The schema name of the kind, e.g. `exactly_one_of`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::ExactlyOneOf => "exactly_one_of",
            ConstraintKind::AtMostOneOf => "at_most_one_of",
        }
    }
}
