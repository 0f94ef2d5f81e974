//! A schema the live hub serves: its resolved view, for every reader, and the JSON Schema
//! itself, compiled by a real validator, as the authority on which inputs are valid.

use std::fmt;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use super::read::read_literal;
use super::validate::{excerpt, image_count, unknown_params};
use super::{Literal, ModelSchema, ParamError, ParamSchema, Problem, Range, ValidationErrors};

/// The hub's JSON Schema of a model's `input` could not be compiled (e.g. it references a
/// document elsewhere, which is never fetched).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the JSON Schema of `{model}` cannot be used: {message}")]
pub struct InvalidSchema {
    /// The model's id.
    pub model: String,
    /// What the validator said.
    pub message: String,
}

/// A live model's schema: the [view](LiveSchema::view) every command reads (parameters,
/// types, values, limits) and the JSON Schema it was read from, which
/// [`LiveSchema::validate`] checks inputs against.
///
/// [`Client::live_schema`](crate::Client::live_schema) reads it from the hub; a catalog
/// entry read elsewhere gives it too:
///
/// ```
/// let entry = serde_json::json!({
///     "id": "acme-1", "name": "Acme 1", "category": "text-to-video",
///     "input_schema": {
///         "type": "object",
///         "required": ["prompt"],
///         "properties": {
///             "prompt": {"type": "string"},
///             "duration": {"type": "integer", "enum": [5, 10]},
///         },
///     },
/// });
/// let schema = videohub_core::ModelInfo::from_json(entry).unwrap().live_schema()?;
/// assert_eq!(schema.view().params.len(), 2);
/// let input = serde_json::json!({"prompt": "a fox", "duration": 7});
/// let errors = schema.validate(input.as_object().unwrap()).unwrap_err();
/// assert_eq!(errors.errors()[0].param, "duration");
/// # Ok::<(), videohub_core::Error>(())
/// ```
pub struct LiveSchema {
    view: ModelSchema,
    validator: jsonschema::Validator,
}

impl fmt::Debug for LiveSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveSchema")
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

impl LiveSchema {
    /// Compiles `json`, the JSON Schema of the model's `input`, beside `view`, what was read
    /// from it (see [`ModelSchema::from_json_schema`]). Formats (`uri`, `date-time`, …) are
    /// checked; OpenAPI's `nullable` is taken as allowing `null`; references are followed
    /// only inside the document.
    ///
    /// ```
    /// use videohub_core::schema::{LiveSchema, ModelSchema};
    /// let json = serde_json::json!({
    ///     "type": "object", "required": ["prompt"],
    ///     "properties": {
    ///         "prompt": {"type": "string", "minLength": 1},
    ///         "seed": {"type": "integer", "nullable": true}
    ///     }
    /// });
    /// let live = LiveSchema::new(ModelSchema::from_json_schema("demo", &json), &json).unwrap();
    /// let input = serde_json::json!({"prompt": "", "seed": null});
    /// let errors = live.validate(input.as_object().unwrap()).unwrap_err();
    /// assert_eq!(errors.to_string(), "parameter `prompt`: must not be empty");
    /// ```
    pub fn new(view: ModelSchema, json: &Value) -> Result<LiveSchema, InvalidSchema> {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&openapi_nullable(json))
            .map_err(|e| InvalidSchema {
                model: view.id.to_string(),
                message: e.to_string(),
            })?;
        Ok(LiveSchema { view, validator })
    }

    /// The resolved view of the schema.
    pub fn view(&self) -> &ModelSchema {
        &self.view
    }

    /// The resolved view, without the validator.
    pub fn into_view(self) -> ModelSchema {
        self.view
    }

    /// Checks `input`: what the JSON Schema refuses, in the project's words (the parameter,
    /// what it allows); parameters the model does not have (with a "did you mean"), even
    /// when the schema lets unknown properties through; and an empty list of images for a
    /// model that requires them.
    pub fn validate(&self, input: &Map<String, Value>) -> Result<(), ValidationErrors> {
        let mut errors = unknown_params(&self.view, input);
        errors.extend(image_count(&self.view, input));
        let instance = Value::Object(input.clone());
        for error in self.validator.iter_errors(&instance) {
            let mapped = self.error(
                error.instance_path().as_str(),
                error.kind(),
                error.instance(),
            );
            let image = self.view.image_inputs.as_ref().map(|i| i.param.as_ref());
            let reported = errors.iter().any(|e| {
                e.param == mapped.param
                    || (Some(e.param.as_ref()) == image
                        && mapped.param.starts_with(e.param.as_ref()))
                    || matches!(e.problem, Problem::Unknown { .. }) && mapped.problem == e.problem
            });
            if !reported {
                errors.push(mapped);
            }
        }
        ValidationErrors::check(errors)
    }

    /// The project's error for one of the validator's.
    fn error(&self, pointer: &str, kind: &ValidationErrorKind, instance: &Value) -> ParamError {
        let path = param_path(pointer);
        let param = self.view.param(pointer_head(pointer));
        let shown = || {
            instance
                .as_str()
                .map_or_else(|| excerpt(instance), str::to_owned)
        };
        let problem = match kind {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let full = if path.is_empty() {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                };
                return ParamError::new(full, Problem::Missing);
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let name = unexpected.first().cloned().unwrap_or_default();
                let suggestion =
                    super::suggest(&name, self.view.params.iter().map(|p| p.name.as_ref()));
                return ParamError::new(name, Problem::Unknown { suggestion });
            }
            ValidationErrorKind::Enum { options } => Problem::NotAllowed {
                value: shown(),
                allowed: literals(options),
            },
            ValidationErrorKind::Constant { expected_value } => Problem::NotAllowed {
                value: shown(),
                allowed: read_literal(expected_value).into_iter().collect(),
            },
            ValidationErrorKind::Type { .. } => match param.filter(|_| !pointer[1..].contains('/'))
            {
                Some(param) => Problem::WrongType {
                    expected: param.ty,
                    found: excerpt(instance),
                },
                None => Problem::Invalid {
                    reason: format!("{} has the wrong type", excerpt(instance)),
                },
            },
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => Problem::OutOfRange {
                value: instance.to_string(),
                range: range_of(param, pointer, kind, limit),
            },
            ValidationErrorKind::MaxLength { limit } => Problem::TooLong {
                length: char_count(instance),
                max: clamp(*limit),
            },
            ValidationErrorKind::MinLength { limit } => Problem::TooShort {
                length: char_count(instance),
                min: clamp(*limit),
            },
            ValidationErrorKind::Pattern { pattern } => Problem::NoMatch {
                pattern: pattern.clone(),
            },
            ValidationErrorKind::Format { format } => Problem::BadFormat {
                value: shown(),
                format: format.clone(),
            },
            ValidationErrorKind::MinItems { limit } => Problem::Invalid {
                reason: format!(
                    "has {} item(s); at least {limit} required",
                    item_count(instance)
                ),
            },
            ValidationErrorKind::MaxItems { limit } => Problem::Invalid {
                reason: format!(
                    "has {} item(s); at most {limit} allowed",
                    item_count(instance)
                ),
            },
            _ => Problem::Invalid {
                reason: kind_text(kind, instance),
            },
        };
        ParamError::new(path, problem)
    }
}

/// The validator's own words for a refusal the project has no message of its own for.
fn kind_text(kind: &ValidationErrorKind, instance: &Value) -> String {
    match kind {
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            format!(
                "{} is none of the shapes the parameter takes",
                excerpt(instance)
            )
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!(
                "{} fits more than one of the shapes the parameter takes",
                excerpt(instance)
            )
        }
        ValidationErrorKind::MultipleOf { .. } => {
            format!(
                "{} is not a multiple of the parameter's step",
                excerpt(instance)
            )
        }
        other => format!("{other:?}"),
    }
}

/// The first segment of a JSON pointer: the top-level parameter.
fn pointer_head(pointer: &str) -> &str {
    pointer
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
}

/// A JSON pointer as the project names a value: `multi_prompt[1].duration`.
fn param_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() && !path.is_empty() {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

fn literals(options: &Value) -> Vec<Literal> {
    options
        .as_array()
        .map(|values| values.iter().filter_map(read_literal).collect())
        .unwrap_or_default()
}

/// The range a bound belongs to: the top-level parameter's, else the one bound alone.
fn range_of(
    param: Option<&ParamSchema>,
    pointer: &str,
    kind: &ValidationErrorKind,
    limit: &Value,
) -> Range {
    let top_level = !pointer[1.min(pointer.len())..].contains('/');
    if let Some(range) = param.and_then(|p| p.range.clone()).filter(|_| top_level) {
        return range;
    }
    let limit = read_literal(limit);
    let mut range = Range {
        min: None,
        max: None,
        exclusive_min: false,
        exclusive_max: false,
    };
    match kind {
        ValidationErrorKind::Minimum { .. } => range.min = limit,
        ValidationErrorKind::ExclusiveMinimum { .. } => {
            range.min = limit;
            range.exclusive_min = true;
        }
        ValidationErrorKind::ExclusiveMaximum { .. } => {
            range.max = limit;
            range.exclusive_max = true;
        }
        _ => range.max = limit,
    }
    range
}

fn char_count(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

fn item_count(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

fn clamp(limit: u64) -> u32 {
    limit.min(u32::MAX.into()) as u32
}

/// `schema` with OpenAPI 3.0's `"nullable": true` written as JSON Schema: the value may
/// also be `null`.
fn openapi_nullable(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut mapped: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), openapi_nullable(v)))
                .collect();
            if mapped.get("nullable") == Some(&Value::Bool(true)) {
                mapped.remove("nullable");
                if let Some(Value::Array(values)) = mapped.get_mut("enum") {
                    values.push(Value::Null);
                }
                match mapped.get_mut("type") {
                    Some(Value::String(ty)) => {
                        let ty = Value::String(std::mem::take(ty));
                        mapped.insert("type".into(), Value::Array(vec![ty, "null".into()]));
                        return Value::Object(mapped);
                    }
                    Some(Value::Array(types)) => {
                        types.push("null".into());
                        return Value::Object(mapped);
                    }
                    _ => {}
                }
                let mut null = Map::new();
                null.insert("type".into(), "null".into());
                let mut wrapper = Map::new();
                for key in ["title", "description", "default", "x-order"] {
                    if let Some(value) = mapped.get(key) {
                        wrapper.insert(key.into(), value.clone());
                    }
                }
                wrapper.insert(
                    "anyOf".into(),
                    Value::Array(vec![Value::Object(null), Value::Object(mapped)]),
                );
                return Value::Object(wrapper);
            }
            Value::Object(mapped)
        }
        Value::Array(list) => Value::Array(list.iter().map(openapi_nullable).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live(json: Value) -> LiveSchema {
        LiveSchema::new(ModelSchema::from_json_schema("m", &json), &json).unwrap()
    }

    fn problems(schema: &LiveSchema, input: Value) -> Vec<String> {
        match schema.validate(input.as_object().unwrap()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.errors().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn every_keyword_is_checked_in_the_projects_words() {
        let schema = live(json!({
            "type": "object",
            "required": ["prompt"],
            "properties": {
                "prompt": {"type": "string", "minLength": 1, "maxLength": 5},
                "duration": {"$ref": "#/$defs/Duration"},
                "cfg": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "seed": {"type": "integer", "nullable": true},
                "code": {"type": "string", "pattern": "^[a-z]+$"},
                "image": {"type": "string", "format": "uri"},
                "shots": {"type": "array", "items": {"type": "object", "required": ["d"], "properties": {"d": {"enum": [3, 5]}}}}
            },
            "$defs": {"Duration": {"type": "integer", "enum": [5, 10]}}
        }));
        assert_eq!(
            problems(
                &schema,
                json!({"prompt": "fox", "seed": null, "duration": 10.0})
            ),
            Vec::<String>::new()
        );
        let cases = [
            (
                json!({}),
                "parameter `prompt`: is required but was not given",
            ),
            (
                json!({"prompt": ""}),
                "parameter `prompt`: must not be empty",
            ),
            (
                json!({"prompt": "foxes!"}),
                "parameter `prompt`: is 6 characters long; at most 5 are allowed",
            ),
            (
                json!({"prompt": "a", "duration": 20}),
                "parameter `duration`: `20` is not allowed; allowed values: 5, 10",
            ),
            (
                json!({"prompt": "a", "cfg": 0}),
                "parameter `cfg`: 0 is outside > 0 and ≤ 1",
            ),
            (
                json!({"prompt": "a", "seed": "x"}),
                "parameter `seed`: expected integer, found \"x\"",
            ),
            (
                json!({"prompt": "a", "code": "AB"}),
                "parameter `code`: does not match the pattern `^[a-z]+$`",
            ),
            (
                json!({"prompt": "a", "image": "not a url"}),
                "parameter `image`: `not a url` is not a valid uri",
            ),
            (
                json!({"prompt": "a", "shots": [{"d": 4}]}),
                "parameter `shots[0].d`: `4` is not allowed; allowed values: 3, 5",
            ),
            (
                json!({"prompt": "a", "shots": [{}]}),
                "parameter `shots[0].d`: is required but was not given",
            ),
            (
                json!({"prompt": "a", "promt": "b"}),
                "parameter `promt`: is not a parameter of this model (did you mean `prompt`?)",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(problems(&schema, input.clone()), [expected], "{input}");
        }
    }

    #[test]
    fn a_required_image_list_needs_an_image() {
        let schema = live(json!({
            "type": "object", "required": ["image_urls"],
            "properties": {"image_urls": {"type": "array", "items": {"type": "string"}}}
        }));
        assert_eq!(
            problems(&schema, json!({"image_urls": []})),
            ["parameter `image_urls`: takes at least 1 image(s), found 0"]
        );
    }

    #[test]
    fn a_reference_elsewhere_is_refused_not_fetched() {
        let json = json!({"properties": {"a": {"$ref": "https://example.com/a.json"}}});
        let error = LiveSchema::new(ModelSchema::from_json_schema("m", &json), &json).unwrap_err();
        assert_eq!(error.model, "m");
    }
}
