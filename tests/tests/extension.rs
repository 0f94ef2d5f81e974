//! A model defined outside `videohub`, with `videohub` as its only dependency of ours,
//! behaves like the shipped ones.

mod lumen_2 {
    use videohub::video_model;

    /// Lumen 2: a model the hub added after this release.
    #[video_model(
        id = "lumen-2",
        name = "Lumen 2",
        vendor = "Lumen",
        category = "text-to-video"
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Lumen2 {
        /// What the video shows.
        #[param(required, max_length = 10)]
        prompt: String,
        /// The length of the clip.
        #[param(values(Short = "short", Long = "long"), default = "short")]
        length: Length,
        /// How strongly to follow the prompt.
        #[param(default = 0.25, range(min = 0.0, max = 1.0))]
        guidance: f64,
        /// The seed of the random generator.
        seed: Option<i64>,
    }
}

use lumen_2::{Length, Lumen2};
use serde_json::json;
use videohub::Model;

#[test]
fn builds_serializes_and_validates() {
    let request = Lumen2::builder()
        .prompt("a fox")
        .length(Length::Long)
        .build();
    assert_eq!(
        serde_json::Value::Object(request.to_input()),
        json!({"prompt": "a fox", "length": "long", "guidance": 0.25})
    );
    assert_eq!(request.validate(), Ok(()));
    let too_long = Lumen2::builder()
        .prompt("a fox in the snow")
        .guidance(2.0)
        .build();
    assert_eq!(
        too_long.validate().unwrap_err().to_string(),
        "parameter `prompt`: is 17 characters long; at most 10 are allowed; \
         parameter `guidance`: 2 is outside 0..=1"
    );
}

#[test]
fn carries_its_schema() {
    let schema = Lumen2::SCHEMA;
    assert_eq!(
        (schema.id.as_ref(), schema.vendor.as_ref()),
        ("lumen-2", "Lumen")
    );
    assert_eq!(Lumen2::CAPABILITY, videohub::Capability::Video);
    let names: Vec<&str> = schema.params.iter().map(|p| p.name.as_ref()).collect();
    assert_eq!(names, ["prompt", "length", "guidance", "seed"]);
    let length = schema.param("length").unwrap();
    assert_eq!(
        length.default.as_ref().map(ToString::to_string).as_deref(),
        Some("short")
    );
    assert_eq!(length.description, "The length of the clip.");
    let bad = json!({"prompt": "a fox", "length": "medium"});
    assert_eq!(
        schema
            .validate_input(bad.as_object().unwrap())
            .unwrap_err()
            .to_string(),
        "parameter `length`: `medium` is not allowed; allowed values: short, long"
    );
}
