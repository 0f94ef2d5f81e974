//! Veo 3.1 First-Last Frame (`veo-3.1-first-last`), Google: first-last-frame.

use crate::{Image, video_model};

/// Veo 3.1 interpolating between a first and a last frame.
///
/// Provisional: the hub documents only this model's id and image rule, and its parameters
/// follow the upstream provider. `videohub models check` compares them with the live hub.
#[video_model(
    id = "veo-3.1-first-last",
    name = "Veo 3.1 First-Last Frame",
    vendor = "Google",
    category = "first-last-frame"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Veo31FirstLast {
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
    /// The first frame of the video.
    #[param(image)]
    first_frame: Image,
    /// The last frame of the video.
    #[param(image)]
    last_frame: Image,
}
