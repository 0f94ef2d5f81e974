//! The `input` of a request, from `--prompt`, `--set name=value` and `--image`, typed by the
//! model's schema and checked against it before anything is sent.

use serde_json::{Map, Value};
use videohub::schema::{ParamType, suggest};
use videohub::{Image, ModelSchema};

use crate::output::Failure;

/// What the command line says of the input.
pub(crate) struct InputArgs<'a> {
    pub prompt: Option<&'a str>,
    pub set: &'a [String],
    pub images: &'a [String],
}

/// The JSON `input` for `schema`, or a usage error that names the parameter and what it
/// allows. Nothing is sent in either case.
pub(crate) fn build(
    schema: &ModelSchema,
    args: &InputArgs<'_>,
) -> Result<Map<String, Value>, Failure> {
    let mut input = Map::new();
    if let Some(prompt) = args.prompt {
        input.insert("prompt".into(), prompt.into());
    }
    for pair in args.set {
        let (name, text) = pair.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "`--set {pair}`: write it as NAME=VALUE, e.g. `--set duration=8s`"
            ))
        })?;
        let value = match schema.param(name) {
            Some(param) => typed(name, param.ty, text)?,
            None => {
                let names = schema.params.iter().map(|p| p.name.as_ref());
                let hint = suggest(name, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(Failure::usage(format!(
                    "`{name}` is not a parameter of `{}`{hint}; `videohub models show {}` lists them",
                    schema.id, schema.id
                )));
            }
        };
        input.insert(name.to_owned(), value);
    }
    if !args.images.is_empty() {
        let Some(rule) = &schema.image_inputs else {
            return Err(Failure::usage(format!("`{}` takes no images", schema.id)));
        };
        let images = args
            .images
            .iter()
            .map(|i| image(i))
            .collect::<Result<Vec<_>, _>>()?;
        input.insert(rule.param.to_string(), images.into());
    }
    schema.validate_input(&input).map_err(|errors| {
        let lines: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
        Failure::usage(format!(
            "invalid request for `{}`:\n  {}",
            schema.id,
            lines.join("\n  ")
        ))
    })?;
    Ok(input)
}

/// A value from the command line, as the parameter's JSON type.
fn typed(name: &str, ty: ParamType, text: &str) -> Result<Value, Failure> {
    let wrong = |what: &str| Failure::usage(format!("`{name}` takes {what}, not `{text}`"));
    match ty {
        ParamType::String => Ok(text.into()),
        ParamType::Integer => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| wrong("an integer")),
        ParamType::Number => text
            .parse::<f64>()
            .map(Value::from)
            .map_err(|_| wrong("a number")),
        ParamType::Boolean => text
            .parse::<bool>()
            .map(Value::from)
            .map_err(|_| wrong("true or false")),
        ParamType::Array | ParamType::Object => {
            let what = if ty == ParamType::Array {
                "a JSON array"
            } else {
                "a JSON object"
            };
            serde_json::from_str(text).map_err(|_| wrong(what))
        }
    }
}

/// An image argument: an `http(s)` URL as given, or a local file sent inline.
fn image(arg: &str) -> Result<Value, Failure> {
    let image = if arg.starts_with("http://") || arg.starts_with("https://") {
        Image::url(arg)
    } else {
        Image::from_file(arg)
    };
    image.map(|i| i.as_str().into()).map_err(|e| {
        let hint = match e {
            videohub::MediaError::UnknownType { .. } => {
                " (name a .png, .jpg, .webp or .gif file, or give an http(s) URL)"
            }
            _ => "",
        };
        Failure::usage(format!("`--image {arg}`: {e}{hint}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_for(id: &str, set: &[&str]) -> Result<Map<String, Value>, String> {
        let schema = videohub::models::find(id).unwrap();
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        build(
            schema,
            &InputArgs {
                prompt: Some("a fox"),
                set: &set,
                images: &[],
            },
        )
        .map_err(|f| f.message)
    }

    #[test]
    fn values_take_the_parameters_types() {
        let input = build_for(
            "wan-2.7",
            &["duration=10", "seed=7", "enable_safety_checker=false"],
        )
        .unwrap();
        assert_eq!(
            Value::Object(input),
            serde_json::json!({"prompt": "a fox", "duration": 10, "seed": 7, "enable_safety_checker": false})
        );
        let kling = build_for("kling-v3-pro", &["cfg_scale=0.25"]).unwrap();
        assert_eq!(kling["cfg_scale"], 0.25);
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            build_for("veo-3.1", &["resolutoin=4k"]).unwrap_err(),
            "`resolutoin` is not a parameter of `veo-3.1` (did you mean `resolution`?); `videohub models show veo-3.1` lists them"
        );
        assert_eq!(
            build_for("veo-3.1-lite", &["resolution=4k"]).unwrap_err(),
            "invalid request for `veo-3.1-lite`:\n  parameter `resolution`: `4k` is not allowed; allowed values: 720p, 1080p"
        );
        assert_eq!(
            build_for("wan-2.7", &["duration=5s"]).unwrap_err(),
            "`duration` takes an integer, not `5s`"
        );
        assert_eq!(
            build_for("wan-2.7", &["duration"]).unwrap_err(),
            "`--set duration`: write it as NAME=VALUE, e.g. `--set duration=8s`"
        );
        assert!(
            build_for("veo-3.1-image", &[])
                .unwrap_err()
                .contains("takes exactly 1 image(s), found 0")
        );
    }
}
