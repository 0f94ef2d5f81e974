//! Veo 3.1 Fast (`veo-3.1-fast`), Google: text-to-video.

use crate::video_model;

/// Veo 3.1 Fast: lower-latency text-to-video at reduced cost.
#[video_model(
    id = "veo-3.1-fast",
    name = "Veo 3.1 Fast",
    vendor = "Google",
    category = "text-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Veo31Fast {
    /// The seed for the random number generator.
    seed: Option<i64>,
    /// The text prompt describing the video you want to generate
    #[param(required)]
    prompt: String,
    /// Whether to automatically attempt to fix prompts that fail content policy or other validation checks by rewriting them.
    #[param(default = true)]
    auto_fix: bool,
    /// The duration of the generated video.
    #[param(values("4s", "6s", "8s"), default = "8s")]
    duration: Duration,
    /// The resolution of the generated video.
    #[param(values("720p", "1080p", "4k"), default = "720p")]
    resolution: Resolution,
    /// Aspect ratio of the generated video
    #[param(values("16:9", "9:16"), default = "16:9")]
    aspect_ratio: AspectRatio,
    /// Whether to generate audio for the video.
    #[param(default = true)]
    generate_audio: bool,
    /// A negative prompt to guide the video generation.
    negative_prompt: Option<String>,
    /// The safety tolerance level for content moderation. 1 is the most strict (blocks most content), 6 is the least strict. Note: API-only parameter.
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
}
