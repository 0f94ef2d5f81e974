//! Rust source of `#[video_model]` structs written from models' schemas, ready to drop into
//! a crate that depends on `videohub`.

use std::fmt::Write;

use videohub::Media;
use videohub::ModelSchema;
use videohub::schema::{ConstraintKind, Input, Literal, ParamSchema, ParamType};

/// One module per model, each holding the struct and (once expanded) its value enums.
pub(crate) fn rust_source(schemas: &[&ModelSchema]) -> String {
    let mut out = String::from(
        "//! Models written by `videohub models codegen` from the hub's schemas.\n\
         //! Each model is in a module of its own, beside the value enums it generates.\n",
    );
    for schema in schemas {
        out.push('\n');
        out.push_str(&module(schema));
    }
    out
}

/// `veo-3.1` → `veo_3_1`: lowercase, every other character an underscore.
fn snake(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `veo-3.1` → `veo_3_1`.
pub(crate) fn module_name(id: &str) -> String {
    let name = snake(id);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("m_{name}")
    } else {
        name
    }
}

/// `veo-3.1` → `Veo31`.
pub(crate) fn type_name(text: &str) -> String {
    let name: String = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("M{name}")
    } else {
        name
    }
}

/// The most images above its minimum a list field may take: the macro checks each count at
/// compile time.
const MAX_EXTRA_IMAGES: u32 = 32;

fn module(schema: &ModelSchema) -> String {
    let mut fields = String::new();
    let mut uses = vec!["video_model"];
    let inputs = schema.category.inputs();
    let sent_alone = media_params(schema);
    let single_images = image_params(schema);
    for param in schema.params.iter() {
        if single_images.contains(&param.name.as_ref()) {
            uses.push(Media::Image.input_type());
            let mut settings = vec!["image".to_owned()];
            if field_name(&param.name) == param.name {
                // The image is sent alone under its name only when renamed.
                settings.push(format!("rename = {:?}", param.name));
            }
            field(&mut fields, param, &settings, Media::Image.input_type());
            continue;
        }
        if let Some((_, input)) = sent_alone.iter().find(|(name, _)| *name == param.name) {
            let media = input.media;
            uses.push(media.input_type());
            field(
                &mut fields,
                param,
                &[media.as_str().to_owned()],
                media.input_type(),
            );
            continue;
        }
        let group = schema
            .constraints
            .iter()
            .find(|c| c.params.contains(&param.name))
            .map(|c| {
                let kind = match c.kind {
                    ConstraintKind::ExactlyOneOf => "exactly_one_of",
                    ConstraintKind::AtMostOneOf => "at_most_one_of",
                };
                format!("{kind} = {:?}", c.params[0])
            });
        let (settings, ty) = param_settings(param, group);
        if ty.contains("JsonObject") && !uses.contains(&"JsonObject") {
            uses.push("JsonObject");
        }
        field(&mut fields, param, &settings, &ty);
    }
    // Images are sent together in the image list, one field each (or one list); a video or
    // audio input the schema has no parameter for is sent under the field's own name.
    let images = schema.image_inputs.as_ref();
    let mut singles = single_images.len();
    let unmatched = inputs.iter().filter(|i| {
        let sent = if i.media == Media::Image {
            let matched = !i.list && singles > 0;
            singles = singles.saturating_sub(usize::from(!i.list));
            matched
        } else {
            sent_alone.iter().any(|(_, input)| *input == *i)
        };
        !sent
    });
    let taken: Vec<String> = schema.params.iter().map(|p| field_name(&p.name)).collect();
    for input in unmatched {
        let ty = input.media.input_type();
        let mut note = String::new();
        let (setting, ty) = if input.list {
            let (min, max) = images.map_or((1, 9), |i| (i.min.max(1), i.max.max(i.min.max(1))));
            let capped = max.min(min + MAX_EXTRA_IMAGES);
            if capped < max {
                let most = if max == u32::MAX {
                    "no most".to_owned()
                } else {
                    format!("at most {max}")
                };
                note = format!(
                    "\n        ///\n        /// The hub takes {most}; this type takes up to {capped} (the builder checks each count at compile time)."
                );
            }
            (
                format!("images(min = {min}, max = {capped})"),
                format!("Vec<{ty}>"),
            )
        } else {
            (input.media.as_str().to_owned(), ty.to_owned())
        };
        // A field of the schema's own may have the input's name: the input takes another.
        let mut name = input.field.to_owned();
        while taken.contains(&name) {
            name.push_str("_input");
        }
        let _ = write!(
            fields,
            "        /// {}{note}\n        #[param({setting})]\n        {name}: {ty},\n",
            input.doc
        );
        uses.push(input.media.input_type());
    }
    uses.sort_unstable();
    uses.dedup();

    let mut out = String::new();
    let _ = writeln!(out, "pub mod {} {{", module_name(&schema.id));
    let uses = match uses.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("{{{}}}", many.join(", ")),
    };
    let _ = writeln!(out, "    use videohub::{uses};\n");
    doc(
        &mut out,
        "    ",
        if schema.description.is_empty() {
            &schema.name
        } else {
            &schema.description
        },
    );
    let _ = writeln!(
        out,
        "    #[video_model(id = {:?}, name = {:?}, vendor = {:?}, category = {:?})]",
        schema.id,
        schema.name,
        schema.vendor,
        schema.category.as_str()
    );
    let _ = writeln!(
        out,
        "    #[derive(Debug, Clone)]\n    pub struct {} {{",
        type_name(&schema.id)
    );
    out.push_str(&fields);
    out.push_str("    }\n}\n");
    out
}

/// The parameters that carry the category's videos and audio clips (each sent under a
/// parameter of its own): for each such input, the first string parameter named for its
/// kind (`video_url` for a video), when there is one.
fn media_params(schema: &ModelSchema) -> Vec<(&str, &'static Input)> {
    let mut found: Vec<(&str, &'static Input)> = Vec::new();
    let inputs = schema.category.inputs();
    for input in inputs.iter().filter(|i| i.media != Media::Image) {
        let param = schema.params.iter().find(|p| {
            p.ty == ParamType::String
                && p.name.contains(input.media.as_str())
                && !found.iter().any(|(name, _)| *name == p.name)
        });
        found.extend(param.map(|p| (p.name.as_ref(), input)));
    }
    found
}

/// The image parameters sent alone (`image_url`, `image`, …) that stand for the category's
/// single images, when the schema has no image list: its required image parameters, in
/// order, as many as the category takes.
fn image_params(schema: &ModelSchema) -> Vec<&str> {
    if schema.image_inputs.is_some() {
        return Vec::new();
    }
    let wanted = schema
        .category
        .inputs()
        .iter()
        .filter(|i| i.media == Media::Image && !i.list)
        .count();
    schema
        .params
        .iter()
        .filter(|p| p.is_image() && p.required && p.ty == ParamType::String)
        .map(|p| p.name.as_ref())
        .take(wanted)
        .collect()
}

/// What a field's type cannot say of its parameter, for its documentation.
fn notes(param: &ParamSchema) -> Vec<String> {
    let more = &param.more;
    let mut notes = Vec::new();
    if let Some(range) = param
        .range
        .as_ref()
        .filter(|r| r.min.is_none() || r.max.is_none() || r.exclusive_min || r.exclusive_max)
    {
        notes.push(format!("The hub takes values {range}."));
    }
    if let Some(min) = more.min_length {
        notes.push(format!("The hub takes at least {min} character(s)."));
    }
    if let Some(pattern) = &more.pattern {
        notes.push(format!("The hub takes text matching `{pattern}`."));
    }
    if let Some(format) = &more.format {
        notes.push(format!("The hub takes a `{format}`."));
    }
    if more.min_items.is_some() || more.max_items.is_some() {
        let (min, max) = (more.min_items.unwrap_or(0), more.max_items);
        let max = max.map_or("any number of".to_owned(), |m| format!("at most {m}"));
        notes.push(format!("The hub takes at least {min} and {max} items."));
    }
    for shape in more.variants.iter().filter(|v| v.ty != param.ty) {
        notes.push(format!(
            "The hub also takes a JSON {} here (send it with the dynamic path).",
            shape.ty
        ));
    }
    if let Some(items) = param.items.as_ref().filter(|i| !i.fields.is_empty()) {
        let fields: Vec<String> = items
            .fields
            .iter()
            .map(|f| {
                format!(
                    "`{}`: {}{}",
                    f.name,
                    f.ty,
                    if f.required { " (required)" } else { "" }
                )
            })
            .collect();
        notes.push(format!(
            "Each element is a JSON object: {}.",
            fields.join(", ")
        ));
    }
    notes
}

/// The `#[param(…)]` settings and the Rust type of a parameter.
fn param_settings(param: &ParamSchema, group: Option<String>) -> (Vec<String>, String) {
    let mut settings = Vec::new();
    let values = param.values.as_deref().filter(|v| !v.is_empty());
    let enumerated = values.filter(|v| {
        v.iter().all(|l| matches!(l, Literal::Str(_))) && param.ty == ParamType::String
            || v.iter().all(|l| matches!(l, Literal::Int(_))) && param.ty == ParamType::Integer
    });
    let mut ty = match (enumerated, param.ty) {
        (Some(values), _) => {
            settings.push(format!(
                "values({})",
                values.iter().map(literal).collect::<Vec<_>>().join(", ")
            ));
            type_name(&param.name)
        }
        (None, ParamType::String) => "String".into(),
        (None, ParamType::Integer) => "i64".into(),
        (None, ParamType::Number) => "f64".into(),
        (None, ParamType::Boolean) => "bool".into(),
        (None, ParamType::Object) => "JsonObject".into(),
        (None, ParamType::Array) => match param.items.as_ref().map(|i| i.ty) {
            Some(ParamType::String) => "Vec<String>".into(),
            Some(ParamType::Integer) => "Vec<i64>".into(),
            Some(ParamType::Number) => "Vec<f64>".into(),
            Some(ParamType::Boolean) => "Vec<bool>".into(),
            _ => "Vec<JsonObject>".into(),
        },
    };
    if let (Some(range), ParamType::Integer | ParamType::Number) = (&param.range, param.ty)
        && let (Some(min), Some(max), false, false) = (
            &range.min,
            &range.max,
            range.exclusive_min,
            range.exclusive_max,
        )
    {
        let bound = |l: &Literal| match (l, param.ty) {
            (Literal::Float(x), ParamType::Integer) => format!("{}", *x as i64),
            (l, _) => literal(l),
        };
        settings.push(format!("range(min = {}, max = {})", bound(min), bound(max)));
    }
    if let (Some(max), ParamType::String) = (param.max_length, param.ty) {
        settings.push(format!("max_length = {max}"));
    }
    let default = param.default.as_ref().filter(|d| match enumerated {
        Some(values) => values.contains(d),
        None => d.fits(param.ty) && param.ty != ParamType::Array,
    });
    match (group, param.required, default) {
        (Some(group), _, _) => {
            settings.push(group);
            ty = format!("Option<{ty}>");
        }
        (None, true, _) => settings.insert(0, "required".into()),
        (None, false, Some(default)) => {
            settings.push(format!("default = {}", literal_of(default, param.ty)))
        }
        (None, false, None) => ty = format!("Option<{ty}>"),
    }
    (settings, ty)
}

fn field(out: &mut String, param: &ParamSchema, settings: &[String], ty: &str) {
    let mut settings = settings.to_vec();
    let name = field_name(&param.name);
    if name != param.name {
        settings.push(format!("rename = {:?}", param.name));
    }
    let mut description = if param.description.trim().is_empty() {
        format!("The `{}` parameter.", param.name)
    } else {
        param.description.trim().to_string()
    };
    for note in notes(param) {
        description.push_str("\n\n");
        description.push_str(&note);
    }
    doc(out, "        ", &description);
    if !settings.is_empty() {
        let _ = writeln!(out, "        #[param({})]", settings.join(", "));
    }
    let _ = writeln!(out, "        {name}: {ty},");
}

/// A Rust field name for a wire name: `aspect-ratio` → `aspect_ratio`, `type` → `type_`.
fn field_name(wire: &str) -> String {
    const KEYWORDS: [&str; 38] = [
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while",
    ];
    let mut name = snake(wire);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "p_");
    }
    if KEYWORDS.contains(&name.as_str()) || name == "builder" {
        name.push('_');
    }
    name
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn literal(value: &Literal) -> String {
    match value {
        Literal::Str(s) => format!("{s:?}"),
        Literal::Float(x) if x.fract() == 0.0 => format!("{x:.1}"),
        other => other.to_string(),
    }
}

/// A default written for the field's type: integers of a number parameter as floats.
fn literal_of(value: &Literal, ty: ParamType) -> String {
    match (value, ty) {
        (Literal::Int(i), ParamType::Number) => format!("{i}.0"),
        (value, _) => literal(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(module_name("veo-3.1"), "veo_3_1");
        assert_eq!(type_name("kling-v3-pro"), "KlingV3Pro");
        assert_eq!(type_name("aspect_ratio"), "AspectRatio");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("aspect-ratio"), "aspect_ratio");
        assert_eq!(field_name("2pass"), "p_2pass");
    }

    #[test]
    fn each_category_gets_its_media_fields() {
        let schema: ModelSchema = serde_json::from_value(serde_json::json!({
            "id": "acme-talk", "name": "Acme Talk", "vendor": "Acme",
            "category": "speech-to-video",
            "params": [
                {"name": "prompt", "type": "string", "required": true},
                {"name": "audio_url", "type": "string", "required": true,
                 "description": "The speech."}
            ]
        }))
        .unwrap();
        let source = rust_source(&[&schema]);
        for expected in [
            "use videohub::{AudioInput, Image, video_model};",
            "#[param(audio)]\n        audio_url: AudioInput,",
            "/// The image of the person who speaks.\n        #[param(image)]\n        image: Image,",
        ] {
            assert!(
                source.contains(expected),
                "missing {expected:?} in\n{source}"
            );
        }
        let still = ModelSchema {
            category: videohub::schema::Category::TextToImage,
            ..schema.clone()
        };
        let source = rust_source(&[&still]);
        assert!(source.contains("use videohub::video_model;"), "{source}");
        assert!(source.contains("audio_url: String,"), "{source}");
        // A transcription model whose schema names no audio parameter still takes its audio.
        let scribe = ModelSchema {
            category: videohub::schema::Category::SpeechToText,
            params: std::borrow::Cow::Owned(vec![schema.params[0].clone()]),
            ..schema.clone()
        };
        let source = rust_source(&[&scribe]);
        assert!(
            source.contains(
                "/// The speech to transcribe.\n        #[param(audio)]\n        audio: AudioInput,"
            ),
            "{source}"
        );
    }

    #[test]
    fn a_compiled_model_round_trips_to_its_own_settings() {
        let wan = videohub::models::find("wan-2.7").unwrap();
        let source = rust_source(&[wan]);
        for expected in [
            "pub mod wan_2_7 {",
            "#[video_model(id = \"wan-2.7\", name = \"WAN 2.7\", vendor = \"Alibaba\", category = \"text-to-video\")]",
            "pub struct Wan27 {",
            "#[param(range(min = 0, max = 2147483647))]\n        seed: Option<i64>,",
            "#[param(required, max_length = 5000)]\n        prompt: String,",
            "#[param(values(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), default = 5)]\n        duration: Duration,",
            "#[param(values(\"720p\", \"1080p\"), default = \"1080p\")]\n        resolution: Resolution,",
        ] {
            assert!(
                source.contains(expected),
                "missing {expected:?} in\n{source}"
            );
        }
        let kling = rust_source(&[videohub::models::find("kling-v3-pro-image").unwrap()]);
        assert!(kling.contains("#[param(exactly_one_of = \"prompt\")]\n        multi_prompt: Option<Vec<JsonObject>>,"), "{kling}");
        assert!(
            kling.contains(
                "#[param(range(min = 0.0, max = 1.0), default = 0.5)]\n        cfg_scale: f64,"
            ),
            "{kling}"
        );
        assert!(
            kling.contains("#[param(image)]\n        image: Image,"),
            "{kling}"
        );
        assert!(
            kling.contains("use videohub::{Image, JsonObject, video_model};"),
            "{kling}"
        );
    }
}
