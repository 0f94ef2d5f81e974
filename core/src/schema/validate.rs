//! Checking a JSON `input` against a [`ModelSchema`], and the errors that names what is wrong.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::literal::join;
use super::{ConstraintKind, Literal, ModelSchema, ParamSchema, ParamType, Range, Text};

/// What is wrong with one parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ParamError {
    /// The wire name of the parameter (`multi_prompt[1].duration` inside arrays); for a
    /// [`Problem::Conflict`], the names of every parameter involved, joined by `, `.
    pub param: Text,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            Problem::Conflict { .. } => {
                let names = self.param.split(", ").collect::<Vec<_>>().join("`, `");
                write!(f, "parameters `{names}`: {}", self.problem)
            }
            _ => write!(f, "parameter `{}`: {}", self.param, self.problem),
        }
    }
}

impl ParamError {
    /// An error for `param`.
    pub fn new(param: impl Into<Text>, problem: Problem) -> Self {
        ParamError {
            param: param.into(),
            problem,
        }
    }
}

/// The ways a parameter can be wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// A required parameter is absent.
    Missing,
    /// A required text parameter is empty (or only spaces).
    Empty,
    /// The model has no parameter of that name.
    Unknown {
        /// The closest parameter name, when one is close.
        suggestion: Option<Text>,
    },
    /// The value has the wrong JSON type.
    WrongType {
        /// The type the parameter takes.
        expected: ParamType,
        /// The value that was given, as JSON.
        found: String,
    },
    /// The value is not one of the allowed values.
    NotAllowed {
        /// The value that was given.
        value: String,
        /// The allowed values.
        allowed: Vec<Literal>,
    },
    /// A number outside the parameter's range.
    OutOfRange {
        /// The value that was given.
        value: String,
        /// The allowed range.
        range: Range,
    },
    /// A string longer than the parameter allows.
    TooLong {
        /// The length given, in characters.
        length: usize,
        /// The most characters allowed.
        max: u32,
    },
    /// A rule over several parameters is broken (the error's `param` names them all).
    Conflict {
        /// The rule.
        kind: ConstraintKind,
        /// How many of the parameters were given.
        given: usize,
    },
    /// A string shorter than the parameter allows.
    TooShort {
        /// The length given, in characters.
        length: usize,
        /// The fewest characters allowed.
        min: u32,
    },
    /// A string that does not match the parameter's pattern.
    NoMatch {
        /// The regular expression.
        pattern: String,
    },
    /// A string that is not of the parameter's format (e.g. not a `uri`).
    BadFormat {
        /// The value that was given.
        value: String,
        /// The format, e.g. `uri`.
        format: String,
    },
    /// Anything else the model's JSON Schema refuses, in the validator's words.
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The wrong number of images.
    ImageCount {
        /// The fewest allowed.
        min: u32,
        /// The most allowed.
        max: u32,
        /// How many were given.
        given: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("is required but was not given"),
            Problem::Empty => f.write_str("is required and cannot be empty"),
            Problem::Unknown {
                suggestion: Some(s),
            } => {
                write!(f, "is not a parameter of this model (did you mean `{s}`?)")
            }
            Problem::Unknown { suggestion: None } => {
                f.write_str("is not a parameter of this model")
            }
            Problem::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::NotAllowed { value, allowed } => {
                write!(
                    f,
                    "`{value}` is not allowed; allowed values: {}",
                    join(allowed)
                )
            }
            Problem::OutOfRange { value, range } => write!(f, "{value} is outside {range}"),
            Problem::TooLong { length, max } => {
                write!(f, "is {length} characters long; at most {max} are allowed")
            }
            Problem::TooShort { length: 0, .. } => f.write_str("must not be empty"),
            Problem::TooShort { length, min } => {
                write!(
                    f,
                    "is {length} characters long; at least {min} are required"
                )
            }
            Problem::NoMatch { pattern } => write!(f, "does not match the pattern `{pattern}`"),
            Problem::BadFormat { value, format } => write!(f, "`{value}` is not a valid {format}"),
            Problem::Invalid { reason } => f.write_str(reason),
            Problem::Conflict {
                kind: ConstraintKind::ExactlyOneOf,
                given,
            } => {
                write!(f, "exactly one of these must be given, found {given}")
            }
            Problem::Conflict {
                kind: ConstraintKind::AtMostOneOf,
                given,
            } => {
                write!(f, "at most one of these may be given, found {given}")
            }
            Problem::ImageCount { min, max, given } if min == max => {
                write!(f, "takes exactly {min} image(s), found {given}")
            }
            Problem::ImageCount { min, max, given } if *max == u32::MAX => {
                write!(f, "takes at least {min} image(s), found {given}")
            }
            Problem::ImageCount { min, max, given } => {
                write!(f, "takes {min} to {max} images, found {given}")
            }
        }
    }
}

/// Every problem found in one request; never empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrors(Vec<ParamError>);

impl ValidationErrors {
    /// `Ok` when `errors` is empty, the errors otherwise.
    pub fn check(errors: Vec<ParamError>) -> Result<(), ValidationErrors> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// The individual errors, in parameter order.
    pub fn errors(&self) -> &[ParamError] {
        &self.0
    }
}

impl From<ParamError> for ValidationErrors {
    fn from(error: ParamError) -> Self {
        ValidationErrors(vec![error])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            error.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Checks `input` against `model` ([`ModelSchema::validate_input`]).
pub(super) fn validate_input(
    model: &ModelSchema,
    input: &Map<String, Value>,
) -> Result<(), ValidationErrors> {
    let mut errors = unknown_params(model, input);
    check_params(&model.params, input, "", &mut errors);
    for constraint in model.constraints.iter() {
        let given = constraint
            .params
            .iter()
            .filter(|p| is_given(input, p))
            .count();
        let broken = match constraint.kind {
            ConstraintKind::ExactlyOneOf => given != 1,
            ConstraintKind::AtMostOneOf => given > 1,
        };
        if broken {
            let param = constraint.params.join(", ");
            errors.push(ParamError::new(
                param,
                Problem::Conflict {
                    kind: constraint.kind,
                    given,
                },
            ));
        }
    }
    errors.extend(image_count(model, input));
    ValidationErrors::check(errors)
}

/// An error for each parameter of `input` that `model` does not have, with a suggestion for
/// the first [`MAX_SUGGESTIONS`].
pub(super) fn unknown_params(model: &ModelSchema, input: &Map<String, Value>) -> Vec<ParamError> {
    let image_param = model.image_inputs.as_ref().map(|i| i.param.as_ref());
    // A model has a few parameters: looked through, not hashed (this runs for every line
    // of a batch).
    let known = |name: &str| {
        image_param == Some(name) || model.params.iter().any(|p| p.name.as_ref() == name)
    };
    let unknown = input.keys().filter(|name| !known(name.as_str()));
    unknown
        .enumerate()
        .map(|(i, name)| {
            let suggestion = (i < MAX_SUGGESTIONS)
                .then(|| suggest(name, model.params.iter().map(|p| p.name.as_ref())))
                .flatten();
            ParamError::new(name.clone(), Problem::Unknown { suggestion })
        })
        .collect()
}

/// The error for the wrong number (or a list of the wrong type) of images, if any.
pub(super) fn image_count(model: &ModelSchema, input: &Map<String, Value>) -> Option<ParamError> {
    let mut errors = Vec::new();
    if let Some(images) = &model.image_inputs {
        let given = match input.get(images.param.as_ref()) {
            None | Some(Value::Null) => Some(0),
            Some(Value::Array(list)) => Some(list.len()),
            Some(other) => {
                let found = excerpt(other);
                errors.push(ParamError::new(
                    images.param.clone(),
                    Problem::WrongType {
                        expected: ParamType::Array,
                        found,
                    },
                ));
                None
            }
        };
        if let Some(given) = given.filter(|&n| n < images.min as usize || n > images.max as usize) {
            errors.push(ParamError::new(
                images.param.clone(),
                Problem::ImageCount {
                    min: images.min,
                    max: images.max,
                    given,
                },
            ));
        }
    }
    errors.pop()
}

fn is_given(input: &Map<String, Value>, name: &str) -> bool {
    input.get(name).is_some_and(|v| !v.is_null())
}

fn check_params(
    params: &[ParamSchema],
    input: &Map<String, Value>,
    prefix: &str,
    errors: &mut Vec<ParamError>,
) {
    for param in params {
        let name: Cow<'_, str> = if prefix.is_empty() {
            Cow::Borrowed(param.name.as_ref())
        } else {
            Cow::Owned(format!("{prefix}{}", param.name))
        };
        match input.get(param.name.as_ref()) {
            Some(Value::Null) if param.more.nullable => {}
            None | Some(Value::Null) if param.required => {
                errors.push(ParamError::new(name.into_owned(), Problem::Missing))
            }
            None | Some(Value::Null) => {}
            Some(Value::String(text)) if param.required && text.trim().is_empty() => {
                errors.push(ParamError::new(name.into_owned(), Problem::Empty))
            }
            Some(value) if !param.more.variants.is_empty() => {
                let fits = |shape: &ParamSchema| {
                    let mut found = Vec::new();
                    check_value(shape, &name, value, &mut found);
                    found
                };
                let mut tried: Vec<Vec<ParamError>> =
                    param.more.variants.iter().map(fits).collect();
                if tried.iter().all(|found| !found.is_empty()) {
                    // Report against the parameter's own (first scalar) shape.
                    let own = param.more.variants.iter().position(|v| v.ty == param.ty);
                    errors.append(&mut tried[own.unwrap_or(0)]);
                }
            }
            Some(value) => check_value(param, &name, value, errors),
        }
    }
}

fn check_value(param: &ParamSchema, name: &str, value: &Value, errors: &mut Vec<ParamError>) {
    let type_ok = match param.ty {
        ParamType::String => value.is_string(),
        ParamType::Integer => value.is_i64() || value.is_u64(),
        ParamType::Number => value.is_number(),
        ParamType::Boolean => value.is_boolean(),
        ParamType::Array => value.is_array(),
        ParamType::Object => value.is_object(),
    };
    if !type_ok {
        let problem = Problem::WrongType {
            expected: param.ty,
            found: excerpt(value),
        };
        errors.push(ParamError::new(name.to_owned(), problem));
        return;
    }
    if let Some(values) = &param.values
        && !values.iter().any(|v| v.matches(value))
    {
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let problem = Problem::NotAllowed {
            value: shown,
            allowed: values.to_vec(),
        };
        errors.push(ParamError::new(name.to_owned(), problem));
    }
    if let (Some(range), Some(number)) = (&param.range, value.as_f64())
        && !range.contains(number)
    {
        let problem = Problem::OutOfRange {
            value: value.to_string(),
            range: range.clone(),
        };
        errors.push(ParamError::new(name.to_owned(), problem));
    }
    if let (Some(max), Some(text)) = (param.max_length, value.as_str())
        && let Err(error) = check_max_length(name, text, max)
    {
        errors.push(error);
    }
    if let (Some(min), Some(text)) = (param.more.min_length, value.as_str()) {
        let length = text.chars().count();
        if length < min as usize {
            errors.push(ParamError::new(
                name.to_owned(),
                Problem::TooShort { length, min },
            ));
        }
    }
    if let (Some(items), Some(list)) = (&param.items, value.as_array()) {
        for (i, item) in list.iter().enumerate() {
            let item_name = format!("{name}[{i}]");
            match (items.ty, item.as_object()) {
                (ParamType::Object, Some(fields)) => {
                    check_params(&items.fields, fields, &format!("{item_name}."), errors);
                }
                _ => check_value(&ParamSchema::new("", items.ty), &item_name, item, errors),
            }
        }
    }
}

/// The error for a string longer than `max` characters.
pub(crate) fn check_max_length(name: &str, text: &str, max: u32) -> Result<(), ParamError> {
    let length = text.chars().count();
    if length > max as usize {
        return Err(ParamError::new(
            name.to_owned(),
            Problem::TooLong { length, max },
        ));
    }
    Ok(())
}

/// How many unknown parameters of one input [`ModelSchema::validate_input`] looks for a
/// "did you mean" suggestion for; the others are reported without one.
pub const MAX_SUGGESTIONS: usize = 8;

#[cfg(test)]
thread_local! {
    /// How many names [`suggest`] compared on this thread.
    static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The name closest to `name`, when one is close enough to be a typo.
///
/// ```
/// use videohub_core::schema::suggest;
/// assert_eq!(suggest("resolutoin", ["duration", "resolution"].into_iter()).as_deref(), Some("resolution"));
/// assert_eq!(suggest("fps", ["duration", "resolution"].into_iter()), None);
/// ```
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<Text> {
    candidates
        .map(|c| {
            #[cfg(test)]
            COMPARISONS.with(|n| n.set(n.get() + 1));
            (strsim::jaro_winkler(name, c), c)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| Text::Owned(c.to_owned()))
}

/// A JSON value for an error message, cut to a readable length.
pub(crate) fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use serde_json::json;

    use super::*;
    use crate::schema::{Category, Constraint, ImageInputs, Items};

    fn schema() -> ModelSchema {
        let param = |name: &'static str, ty| ParamSchema::new(name, ty);
        let shot_duration = ParamSchema {
            required: true,
            values: Some(Cow::Owned(vec![Literal::str("3"), Literal::str("5")])),
            ..param("duration", ParamType::String)
        };
        ModelSchema {
            id: "demo".into(),
            name: "Demo".into(),
            vendor: "Acme".into(),
            category: Category::ImageToVideo,
            description: "".into(),
            params: Cow::Owned(vec![
                ParamSchema {
                    max_length: Some(5),
                    ..param("prompt", ParamType::String)
                },
                ParamSchema {
                    range: Some(Range::inclusive(Literal::Int(0), Literal::Int(9))),
                    ..param("seed", ParamType::Integer)
                },
                ParamSchema {
                    required: true,
                    ..param("fps", ParamType::Integer)
                },
                ParamSchema {
                    items: Some(Items {
                        ty: ParamType::Object,
                        fields: Cow::Owned(vec![shot_duration]),
                    }),
                    ..param("shots", ParamType::Array)
                },
                param("tags", ParamType::Array),
            ]),
            image_inputs: Some(ImageInputs {
                param: "image_urls".into(),
                min: 1,
                max: 1,
                roles: Cow::Borrowed(&[]),
            }),
            constraints: Cow::Owned(vec![Constraint {
                kind: ConstraintKind::AtMostOneOf,
                params: Cow::Owned(vec!["prompt".into(), "shots".into()]),
            }]),
        }
    }

    fn problems(input: serde_json::Value) -> Vec<String> {
        match schema().validate_input(input.as_object().unwrap()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.errors().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_valid_input_passes() {
        let input = json!({"prompt": "fox", "seed": 9, "fps": 24, "image_urls": ["https://a.example/1.png"]});
        assert_eq!(problems(input), Vec::<String>::new());
    }

    #[test]
    fn every_problem_names_the_parameter() {
        let input = json!({
            "prompt": "a red fox",
            "seed": 10,
            "fps": 24.5,
            "shots": [{"duration": "4"}, {}],
            "image_urls": [],
            "sed": 1,
        });
        assert_eq!(
            problems(input),
            [
                "parameter `sed`: is not a parameter of this model (did you mean `seed`?)",
                "parameter `prompt`: is 9 characters long; at most 5 are allowed",
                "parameter `seed`: 10 is outside 0..=9",
                "parameter `fps`: expected integer, found 24.5",
                "parameter `shots[0].duration`: `4` is not allowed; allowed values: 3, 5",
                "parameter `shots[1].duration`: is required but was not given",
                "parameters `prompt`, `shots`: at most one of these may be given, found 2",
                "parameter `image_urls`: takes exactly 1 image(s), found 0",
            ]
        );
    }

    #[test]
    fn missing_and_malformed_images_are_reported() {
        assert_eq!(
            problems(json!({"fps": 24})),
            ["parameter `image_urls`: takes exactly 1 image(s), found 0"]
        );
        assert_eq!(
            problems(json!({"fps": 24, "image_urls": "https://a.example/1.png"})),
            ["parameter `image_urls`: expected array, found \"https://a.example/1.png\""]
        );
        assert_eq!(
            problems(json!({"image_urls": ["x"], "fps": null})),
            ["parameter `fps`: is required but was not given"]
        );
    }

    /// A schema of `n` string parameters `p0`, `p1`, …
    fn wide_schema(n: usize) -> ModelSchema {
        ModelSchema {
            params: Cow::Owned(
                (0..n)
                    .map(|i| ParamSchema {
                        name: Cow::Owned(format!("p{i}")),
                        ..ParamSchema::new("", ParamType::String)
                    })
                    .collect(),
            ),
            image_inputs: None,
            constraints: Cow::Borrowed(&[]),
            ..schema()
        }
    }

    #[test]
    fn unknown_keys_are_compared_with_the_parameters_a_bounded_number_of_times() {
        for (params, keys) in [(10, 10), (500, 1_000), (500, 4_000)] {
            let schema = wide_schema(params);
            let input: Map<String, Value> = (0..keys)
                .map(|i| (format!("q{i}"), Value::from(i)))
                .chain([("p0".to_owned(), Value::from("known"))])
                .collect();
            COMPARISONS.with(|n| n.set(0));
            let errors = schema.validate_input(&input).unwrap_err();
            let comparisons = COMPARISONS.with(std::cell::Cell::get);
            // Each of the first few unknown keys is compared with each parameter once; the
            // number of keys does not multiply it.
            assert_eq!(
                comparisons,
                keys.min(MAX_SUGGESTIONS) * params,
                "{keys} keys"
            );
            assert_eq!(errors.errors().len(), keys, "every unknown key is reported");
            assert!(
                errors
                    .errors()
                    .iter()
                    .all(|e| matches!(e.problem, Problem::Unknown { .. }))
            );
        }
    }
}
