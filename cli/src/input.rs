//! The `input` of a request, from `--prompt`, `--set name=value` and `--image`, typed by the
//! model's schema and checked against it before anything is sent.

use serde_json::{Map, Value};
use videohub::schema::{ParamSchema, ParamType, ValidationErrors, suggest};
use videohub::{Image, ModelSchema};

use crate::output::Failure;
use videohub_app::Model as Checked;

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
    let input = assemble(schema, args)?;
    schema
        .validate_input(&input)
        .map_err(|errors| invalid(schema, &errors))?;
    Ok(input)
}

/// [`build`] for a compiled or live schema, checked by what checks that schema (a live
/// one by its JSON Schema).
pub(crate) fn build_checked(
    schema: &Checked,
    args: &InputArgs<'_>,
) -> Result<Map<String, Value>, Failure> {
    let input = assemble(schema.view(), args)?;
    schema
        .validate(&input)
        .map_err(|errors| invalid(schema.view(), &errors))?;
    Ok(input)
}

fn invalid(view: &ModelSchema, errors: &ValidationErrors) -> Failure {
    let lines: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    Failure::usage(format!(
        "invalid request for `{}`:\n  {}",
        view.id,
        lines.join("\n  ")
    ))
}

/// The input the arguments describe, typed by `view` but not yet checked.
fn assemble(view: &ModelSchema, args: &InputArgs<'_>) -> Result<Map<String, Value>, Failure> {
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
        let value = match view.param(name) {
            Some(param) => typed(param, text)?,
            None => {
                let names = view.params.iter().map(|p| p.name.as_ref());
                let hint = suggest(name, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(Failure::usage(format!(
                    "`{name}` is not a parameter of `{}`{hint}; `videohub models show {}` lists them",
                    view.id, view.id
                )));
            }
        };
        input.insert(name.to_owned(), value);
    }
    images(view, args.images, &mut input)?;
    Ok(input)
}

/// Puts the `--image` arguments where the model takes images: its image list, or its only
/// image parameter whatever its name (a string, or a list of them); among several, one
/// image goes to the one named `image` (or `image_url`), else to the only required one,
/// and several images to the only list of them. Otherwise the command asks for the
/// parameter's name: `--image NAME=URL_OR_FILE`.
fn images(
    view: &ModelSchema,
    args: &[String],
    input: &mut Map<String, Value>,
) -> Result<(), Failure> {
    if args.is_empty() {
        return Ok(());
    }
    let image_params: Vec<&ParamSchema> = view.params.iter().filter(|p| p.is_image()).collect();
    let mut unnamed = Vec::new();
    for arg in args {
        let named = arg
            .split_once('=')
            .and_then(|(name, file)| Some((image_params.iter().find(|p| p.name == name)?, file)));
        match named {
            Some((param, file)) => put(input, param.name.as_ref(), param.ty, image(file)?),
            None => unnamed.push(image(arg)?),
        }
    }
    if unnamed.is_empty() {
        return Ok(());
    }
    if let Some(rule) = &view.image_inputs {
        let list = input
            .entry(rule.param.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.extend(unnamed);
        }
        return Ok(());
    }
    if image_params.is_empty() {
        return Err(Failure::usage(format!("`{}` takes no images", view.id)));
    }
    let Some(param) = unnamed_target(&image_params, unnamed.len()) else {
        let names: Vec<String> = image_params
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect();
        return Err(Failure::usage(format!(
            "`{}` takes images in {}: name the parameter of each with `--image NAME=URL_OR_FILE`",
            view.id,
            names.join(", ")
        )));
    };
    if param.ty != ParamType::Array && unnamed.len() > 1 {
        return Err(Failure::usage(format!(
            "`{}` takes one image in `{}`, found {}",
            view.id,
            param.name,
            unnamed.len()
        )));
    }
    for value in unnamed {
        put(input, param.name.as_ref(), param.ty, value);
    }
    Ok(())
}

/// Where `count` images given without a parameter's name go among `params` (the model's
/// image parameters, not empty), when the schema says it without doubt.
fn unnamed_target<'a>(params: &[&'a ParamSchema], count: usize) -> Option<&'a ParamSchema> {
    let only = |found: Vec<&&'a ParamSchema>| match found.as_slice() {
        [one] => Some(**one),
        _ => None,
    };
    if let [one] = params {
        return Some(one);
    }
    let list = only(params.iter().filter(|p| p.ty == ParamType::Array).collect());
    if count > 1 {
        return list;
    }
    ["image", "image_url"]
        .iter()
        .find_map(|name| params.iter().find(|p| p.name == *name).copied())
        .or_else(|| only(params.iter().filter(|p| p.required).collect()))
        .or(list)
}

/// Sets an image parameter, or appends to an image list.
fn put(input: &mut Map<String, Value>, name: &str, ty: ParamType, value: Value) {
    if ty == ParamType::Array {
        let list = input
            .entry(name.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.push(value);
        }
    } else {
        input.insert(name.to_owned(), value);
    }
}

/// A value from the command line, as the parameter's JSON type: integers may be written
/// `8.0`; arrays and objects (and the object shapes of a union) as JSON; `null` for a
/// parameter that accepts it.
fn typed(param: &ParamSchema, text: &str) -> Result<Value, Failure> {
    let name = &param.name;
    let wrong = |what: &str| Failure::usage(format!("`{name}` takes {what}, not `{text}`"));
    if param.more.nullable && text == "null" {
        return Ok(Value::Null);
    }
    let structured = param
        .more
        .variants
        .iter()
        .any(|v| matches!(v.ty, ParamType::Array | ParamType::Object));
    if structured && (text.starts_with('{') || text.starts_with('[')) {
        return serde_json::from_str(text).map_err(|_| wrong("JSON"));
    }
    match param.ty {
        ParamType::String => Ok(text.into()),
        ParamType::Integer => match text.parse::<i64>() {
            Ok(n) => Ok(n.into()),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| Value::from(f as i64))
                .ok_or_else(|| wrong("an integer")),
        },
        ParamType::Number => match text.parse::<i64>() {
            Ok(n) => Ok(n.into()),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
                .ok_or_else(|| wrong("a number")),
        },
        ParamType::Boolean => text
            .parse::<bool>()
            .map(Value::from)
            .map_err(|_| wrong("true or false")),
        ParamType::Array | ParamType::Object => {
            let what = if param.ty == ParamType::Array {
                "a JSON array"
            } else {
                "a JSON object"
            };
            match serde_json::from_str::<Value>(text) {
                Ok(value)
                    if value.is_array() == (param.ty == ParamType::Array)
                        && (value.is_array() || value.is_object()) =>
                {
                    Ok(value)
                }
                _ => Err(wrong(what)),
            }
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

    /// A live schema as a gateway writes it: `anyOf [X, null]`, `$ref`, an image parameter
    /// named `image_url`, and a second, optional, one.
    fn live(extra: serde_json::Value) -> Checked {
        let mut json = serde_json::json!({
            "type": "object",
            "required": ["prompt", "image_url"],
            "properties": {
                "prompt": {"type": "string", "minLength": 1},
                "image_url": {"type": "string"},
                "tail_image_url": {"type": "string"},
                "duration": {"$ref": "#/$defs/Duration"},
                "seed": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "shots": {"type": "array", "items": {"type": "string"}}
            },
            "$defs": {"Duration": {"type": "integer", "enum": [5, 10]}}
        });
        json["properties"]
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let view = ModelSchema::from_json_schema("live-1", &json);
        Checked::Live(Box::new(
            videohub::schema::LiveSchema::new(view, &json).unwrap(),
        ))
    }

    fn build_live(
        schema: &Checked,
        prompt: &str,
        set: &[&str],
        images: &[&str],
    ) -> Result<Map<String, Value>, String> {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let images: Vec<String> = images.iter().map(|s| s.to_string()).collect();
        build_checked(
            schema,
            &InputArgs {
                prompt: Some(prompt),
                set: &set,
                images: &images,
            },
        )
        .map_err(|f| f.message)
    }

    #[test]
    fn live_values_take_the_types_of_the_resolved_view() {
        let schema = live(serde_json::json!({}));
        let input = build_live(
            &schema,
            "a fox",
            &["duration=10.0", "seed=null", r#"shots=["a","b"]"#],
            &["https://cdn.example.com/a.png"],
        )
        .unwrap();
        assert_eq!(
            Value::Object(input),
            serde_json::json!({"prompt": "a fox", "duration": 10, "seed": null, "shots": ["a", "b"], "image_url": "https://cdn.example.com/a.png"})
        );
        assert_eq!(
            build_live(
                &schema,
                "a fox",
                &["duration=20"],
                &["https://cdn.example.com/a.png"]
            )
            .unwrap_err(),
            "invalid request for `live-1`:\n  parameter `duration`: `20` is not allowed; allowed values: 5, 10"
        );
        assert_eq!(
            build_live(&schema, "a fox", &["duration=abc"], &[]).unwrap_err(),
            "`duration` takes an integer, not `abc`"
        );
        assert_eq!(
            build_live(&schema, "", &[], &["https://cdn.example.com/a.png"]).unwrap_err(),
            "invalid request for `live-1`:\n  parameter `prompt`: must not be empty"
        );
    }

    #[test]
    fn images_go_to_the_image_parameter_whatever_its_name() {
        let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
        std::fs::write(file.path(), b"\x89PNG\r\n\x1a\n").unwrap();
        let path = file.path().to_str().unwrap();
        let schema = live(serde_json::json!({}));
        let input = build_live(&schema, "a fox", &[], &[path]).unwrap();
        assert!(
            input["image_url"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
        let named = format!("tail_image_url={path}");
        let both = build_live(
            &schema,
            "a fox",
            &[],
            &["https://cdn.example.com/a.png", &named],
        )
        .unwrap();
        assert!(
            both["tail_image_url"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png")
        );
        assert_eq!(
            build_live(
                &schema,
                "a fox",
                &[],
                &[
                    "https://cdn.example.com/a.png",
                    "https://cdn.example.com/b.png"
                ]
            )
            .unwrap_err(),
            "`live-1` takes images in `image_url`, `tail_image_url`: name the parameter of each with `--image NAME=URL_OR_FILE`"
        );
        let two_required =
            live(serde_json::json!({"first_frame": {"type": "string", "format": "uri"}}));
        let Checked::Live(live) = &two_required else {
            unreachable!()
        };
        assert_eq!(
            live.view().params.iter().filter(|p| p.is_image()).count(),
            3
        );
    }

    /// Where one `--image` without a name goes, among the image parameters `properties`
    /// (`required` of them), or the error that asks for the name.
    fn one_image_in(properties: serde_json::Value, required: &[&str]) -> Result<String, String> {
        let mut json = serde_json::json!({"type": "object", "required": ["prompt"],
            "properties": {"prompt": {"type": "string"}}});
        json["required"]
            .as_array_mut()
            .unwrap()
            .extend(required.iter().map(|r| Value::from(*r)));
        json["properties"]
            .as_object_mut()
            .unwrap()
            .extend(properties.as_object().unwrap().clone());
        let view = ModelSchema::from_json_schema("live-2", &json);
        let schema = Checked::Live(Box::new(
            videohub::schema::LiveSchema::new(view, &json).unwrap(),
        ));
        let url = "https://cdn.example.com/a.png";
        let input = build_live(&schema, "a fox", &[], &[url])?;
        let (name, _) = input.iter().find(|(_, v)| *v == url).unwrap();
        Ok(name.clone())
    }

    #[test]
    fn one_image_goes_to_image_then_to_the_one_required_image_parameter() {
        let uri = serde_json::json!({"type": "string", "format": "uri"});
        let file = serde_json::json!({"anyOf": [{"type": "string", "format": "file"}, {"type": "null"}], "default": null});
        // Veo 3.1 Fast on Replicate: two optional images, `image` the first frame.
        let veo = serde_json::json!({"image": uri, "last_frame": uri});
        assert_eq!(one_image_in(veo, &[]).unwrap(), "image");
        // Seedance 1.5 on Replicate: Cog's spelling of an optional file.
        let seedance = serde_json::json!({"image": file, "last_frame_image": file});
        assert_eq!(one_image_in(seedance, &[]).unwrap(), "image");
        let fal = serde_json::json!({"image_url": {"type": "string"}, "tail_image_url": {"type": "string"},
            "reference_image_urls": {"type": "array", "items": {"type": "string"}}});
        assert_eq!(one_image_in(fal, &[]).unwrap(), "image_url");
        let frames = serde_json::json!({"first_frame": uri, "last_frame": uri});
        assert_eq!(
            one_image_in(frames.clone(), &["first_frame"]).unwrap(),
            "first_frame"
        );
        assert_eq!(
            one_image_in(frames, &[]).unwrap_err(),
            "`live-2` takes images in `first_frame`, `last_frame`: name the parameter of each with `--image NAME=URL_OR_FILE`"
        );
        // An image told by its description is one of the choices.
        let minimax = serde_json::json!({"first_frame_image": uri, "subject_reference": {"type": "string",
            "format": "uri", "description": "An optional character reference image to use as the subject"}});
        assert_eq!(
            one_image_in(minimax, &[]).unwrap_err(),
            "`live-2` takes images in `first_frame_image`, `subject_reference`: name the parameter of each with `--image NAME=URL_OR_FILE`"
        );
    }
}
