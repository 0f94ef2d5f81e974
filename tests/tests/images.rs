//! Image and video inputs: their wire form, their counts, and a video-edit model defined
//! outside `videohub`.

use serde_json::json;
use videohub::models::veo::{Veo31FirstLast, Veo31Image, Veo31Ref};
use videohub::models::wan::Wan27Image;
use videohub::{Image, Model};

fn image(name: &str) -> Image {
    Image::url(format!("https://cdn.example.com/{name}.png")).unwrap()
}

#[test]
fn image_to_video_sends_one_image() {
    let request = Veo31Image::builder()
        .prompt("the fox looks up")
        .image(image("fox"))
        .build();
    let input = request.to_input();
    assert_eq!(
        input["image_urls"],
        json!(["https://cdn.example.com/fox.png"])
    );
    assert_eq!(input["aspect_ratio"], "auto");
    assert_eq!(request.image().as_str(), "https://cdn.example.com/fox.png");
    assert_eq!(Veo31Image::SCHEMA.validate_input(&input), Ok(()));
    // WAN's image model leaves the prompt optional.
    let wan = Wan27Image::builder().image(image("koi")).build();
    assert_eq!(
        wan.to_input()["image_urls"],
        json!(["https://cdn.example.com/koi.png"])
    );
}

#[test]
fn first_last_frame_sends_the_first_frame_first() {
    let request = Veo31FirstLast::builder()
        .last_frame(image("last"))
        .prompt("dawn to dusk")
        .first_frame(image("first"))
        .build();
    assert_eq!(
        request.to_input()["image_urls"],
        json!([
            "https://cdn.example.com/first.png",
            "https://cdn.example.com/last.png"
        ])
    );
}

#[test]
fn reference_images_are_checked_at_compile_time_or_on_request() {
    let request = Veo31Ref::builder()
        .prompt("a fox in this style")
        .reference_images([image("a"), image("b"), image("c")])
        .build();
    assert_eq!(request.reference_images().len(), 3);
    assert_eq!(
        request.to_input()["image_urls"].as_array().unwrap().len(),
        3
    );

    let from_run_time = (0..9).map(|i| image(&i.to_string()));
    let built = Veo31Ref::builder()
        .try_reference_images(from_run_time)
        .unwrap()
        .prompt("x")
        .build();
    assert_eq!(built.reference_images().len(), 9);

    let one = Veo31Ref::builder()
        .try_reference_images([image("a")])
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        one.to_string(),
        "parameter `reference_images`: takes 2 to 9 images, found 1"
    );
    let ten = (0..10).map(|i| image(&i.to_string()));
    assert!(Veo31Ref::builder().try_reference_images(ten).is_err());
}

#[test]
fn inline_images_are_data_uris() {
    let request = Veo31Image::builder()
        .prompt("x")
        .image(Image::from_bytes(b"\x89PNG", "image/png"))
        .build();
    assert_eq!(
        request.to_input()["image_urls"],
        json!(["data:image/png;base64,iVBORw=="])
    );
}

#[test]
fn the_schema_states_the_image_rule() {
    let rule = Veo31Ref::SCHEMA.image_inputs.as_ref().unwrap();
    assert_eq!(
        (rule.param.as_ref(), rule.min, rule.max),
        ("image_urls", 2, 9)
    );
    assert!(Veo31Ref::SCHEMA.param("reference_images").is_none());
    let wrong = json!({"prompt": "x", "image_urls": ["https://a.example/1.png"]});
    assert_eq!(
        Veo31Ref::SCHEMA
            .validate_input(wrong.as_object().unwrap())
            .unwrap_err()
            .to_string(),
        "parameter `image_urls`: takes 2 to 9 images, found 1"
    );
}

mod clip_fix {
    use videohub::{VideoInput, video_model};

    /// Clip Fix: restyles a video.
    #[video_model(
        id = "clip-fix",
        name = "Clip Fix",
        vendor = "Acme",
        category = "video-edit"
    )]
    #[derive(Debug, Clone)]
    pub(crate) struct ClipFix {
        /// How to change the video.
        #[param(required)]
        prompt: String,
        /// The video to change.
        #[param(video, rename = "video_url")]
        video: VideoInput,
    }
}

#[test]
fn a_video_edit_model_sends_its_video() {
    let video = videohub::VideoInput::url("https://cdn.example.com/clip.mp4").unwrap();
    let request = clip_fix::ClipFix::builder()
        .video(video)
        .prompt("make it snow")
        .build();
    assert_eq!(
        serde_json::Value::Object(request.to_input()),
        json!({"prompt": "make it snow", "video_url": "https://cdn.example.com/clip.mp4"})
    );
    let schema = clip_fix::ClipFix::SCHEMA;
    assert_eq!(schema.category, videohub::schema::Category::VideoEdit);
    assert_eq!(schema.param("video_url").map(|p| p.required), Some(true));
}

/// A hub model whose schema takes its image alone under `image_url`, as many gateways do.
#[videohub::video_model(
    id = "acme-animate",
    name = "Acme Animate",
    vendor = "Acme",
    category = "image-to-video"
)]
#[derive(Debug, Clone)]
pub struct AcmeAnimate {
    /// What happens.
    #[param(required)]
    prompt: String,
    /// The first frame.
    #[param(image, rename = "image_url")]
    image: Image,
}

#[test]
fn a_renamed_image_is_sent_alone_under_its_name() {
    let request = AcmeAnimate::builder()
        .prompt("the fox looks up")
        .image(image("fox"))
        .build();
    let input = request.to_input();
    assert_eq!(
        serde_json::Value::Object(input.clone()),
        json!({"prompt": "the fox looks up", "image_url": "https://cdn.example.com/fox.png"})
    );
    let schema = AcmeAnimate::SCHEMA;
    assert!(schema.image_inputs.is_none());
    let param = schema.param("image_url").expect("a parameter of its own");
    assert!(param.required && param.is_image());
    assert_eq!(schema.validate_input(&input), Ok(()));
}
