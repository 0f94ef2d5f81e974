//! Veo 3.1 Image-to-Video (`veo-3.1-image`), Google: image-to-video.

use crate::{Image, video_model};

/// Veo 3.1 animating one source image, optional native audio.
///
/// Provisional: the hub documents only this model's id and image rule, and its parameters
/// follow the upstream provider. `videohub models check` compares them with the live hub.
#[video_model(
    id = "veo-3.1-image",
    name = "Veo 3.1 Image-to-Video",
    vendor = "Google",
    category = "image-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Veo31Image {
    /// Seed for the random number generator.
    seed: Option<i64>,
    /// Text prompt describing the video.
    #[param(required)]
    prompt: String,
    /// Rewrite prompts that fail content policy or validation.
    #[param(default = true)]
    auto_fix: bool,
    /// Duration of the generated video.
    #[param(values("4s", "6s", "8s"), default = "8s")]
    duration: Duration,
    /// Resolution of the generated video.
    #[param(values("720p", "1080p", "4k"), default = "720p")]
    resolution: Resolution,
    /// Aspect ratio of the generated video.
    #[param(values("auto", "16:9", "9:16"), default = "auto")]
    aspect_ratio: AspectRatio,
    /// Whether to generate audio.
    #[param(default = true)]
    generate_audio: bool,
    /// What to avoid in the video.
    negative_prompt: Option<String>,
    /// Moderation strictness, 1 strictest to 6 least strict (API-only).
    #[param(
        values(
            Level1 = "1",
            Level2 = "2",
            Level3 = "3",
            Level4 = "4",
            Level5 = "5",
            Level6 = "6"
        ),
        default = "4"
    )]
    safety_tolerance: SafetyTolerance,
    /// The image to animate: the start frame of the video.
    #[param(image)]
    image: Image,
}
