//! Rust source of `#[video_model]` structs written from models' schemas, ready to drop into
//! a crate that depends on `videohub`: a model the hub serves that videohub does not
//! compile becomes a type of your own (what `videohub models codegen` prints).
//!
//! ```
//! let wan = videohub::models::find("wan-2.7").unwrap();
//! let source = videohub::codegen::rust_source(&[wan]);
//! assert!(source.contains("pub struct Wan27 {"));
//! assert_eq!(videohub::codegen::type_name("kling-v3-pro"), "KlingV3Pro");
//! ```

mod fields;
mod names;

use std::fmt::Write;

use crate::schema::{ConstraintKind, Input, ParamType};
use crate::{Media, ModelSchema};

use fields::{doc, field, param_settings};
pub use names::{field_name, module_name, type_name};

/// One module per model, each holding the struct and (once expanded) its value enums.
pub fn rust_source(schemas: &[&ModelSchema]) -> String {
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
/// parameter of its own): for each such input, the first string parameter that takes a
/// file of its kind (`video_url` for a video, see `ParamSchema::media`), when there is one.
fn media_params(schema: &ModelSchema) -> Vec<(&str, &'static Input)> {
    let mut found: Vec<(&str, &'static Input)> = Vec::new();
    let inputs = schema.category.inputs();
    for input in inputs.iter().filter(|i| i.media != Media::Image) {
        let param = schema.params.iter().find(|p| {
            p.ty == ParamType::String
                && p.media() == Some(input.media)
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

#[cfg(test)]
mod tests {
    use super::*;

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
            category: crate::schema::Category::TextToImage,
            ..schema.clone()
        };
        let source = rust_source(&[&still]);
        assert!(source.contains("use videohub::video_model;"), "{source}");
        assert!(source.contains("audio_url: String,"), "{source}");
        // A transcription model whose schema names no audio parameter still takes its audio.
        let scribe = ModelSchema {
            category: crate::schema::Category::SpeechToText,
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
        let wan = crate::models::find("wan-2.7").unwrap();
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
        let kling = rust_source(&[crate::models::find("kling-v3-pro-image").unwrap()]);
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
