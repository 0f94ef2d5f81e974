//! A model defined outside `videohub`, with every kind of parameter.
use videohub::{JsonObject, Model, video_model};

/// A demo model.
#[video_model(
    id = "acme-1",
    name = "Acme 1",
    vendor = "Acme",
    category = "text-to-video"
)]
#[derive(Debug, Clone)]
pub(crate) struct Acme1 {
    /// The prompt.
    #[param(required, max_length = 100)]
    prompt: String,
    /// The style.
    #[param(values("noir", Pastel = "pastel-soft"), default = "noir")]
    style: Style,
    /// Frames per second.
    #[param(values(24, 30), default = 24)]
    fps: Fps,
    /// Strength.
    #[param(default = 1, range(min = 0, max = 2))]
    strength: f64,
    /// Zoom factor; `1.5x` yields no name of its own, so it is named by its position.
    #[param(values("1.5x", "2x"), default = "2x")]
    zoom: Zoom,
    /// Camera settings, passed through as given.
    camera: Option<JsonObject>,
    /// Keyframes of any shape.
    keyframes: Option<Vec<JsonObject>>,
    /// Tags.
    tags: Option<Vec<String>>,
    /// The seed, sent as `random_seed`.
    #[param(rename = "random_seed", at_most_one_of = "seeding")]
    seed: Option<u32>,
    /// Seed from the clock.
    #[param(at_most_one_of = "seeding")]
    clock_seed: Option<bool>,
}

#[test]
fn a_model_of_ones_own_builds_with_every_kind_of_parameter() {
    let request = Acme1::builder()
        .prompt("x")
        .style(Style::Pastel)
        .fps(Fps::V30)
        .tags(["a".to_owned()])
        .seed(5)
        .build();
    assert_eq!(request.strength(), 1.0);
    assert_eq!(request.style().to_string(), "pastel-soft");
    let input = request.to_input();
    assert_eq!(input["random_seed"], 5);
    assert_eq!(input["fps"], 30);
    assert_eq!(Acme1::SCHEMA.constraints.len(), 1);
    let camera: JsonObject = serde_json::from_str(r#"{"pan": 0.5}"#).unwrap();
    let with_camera = Acme1::builder()
        .prompt("x")
        .camera(camera)
        .keyframes(Vec::new())
        .build();
    assert_eq!(with_camera.to_input()["camera"]["pan"], 0.5);
    assert_eq!(with_camera.camera().map(|c| c.len()), Some(1));
    assert_eq!((Zoom::Value1.as_str(), Zoom::X2.as_str()), ("1.5x", "2x"));
}
