//! WAN 2.7 Image-to-Video (`wan-2.7-image`), Alibaba: image-to-video.

use crate::{Image, video_model};

/// WAN 2.7 animating a first-frame image.
///
/// Provisional: the hub documents only this model's id and image rule, and its parameters
/// follow the upstream provider. `videohub models check` compares them with the live hub.
#[video_model(
    id = "wan-2.7-image",
    name = "WAN 2.7 Image-to-Video",
    vendor = "Alibaba",
    category = "image-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Wan27Image {
    /// Random seed for reproducibility (0-2147483647).
    #[param(range(min = 0, max = 2147483647))]
    seed: Option<i64>,
    /// Optional text prompt.
    #[param(max_length = 5000)]
    prompt: Option<String>,
    /// Duration in seconds.
    #[param(
        values(
            S2 = 2,
            S3 = 3,
            S4 = 4,
            S5 = 5,
            S6 = 6,
            S7 = 7,
            S8 = 8,
            S9 = 9,
            S10 = 10,
            S11 = 11,
            S12 = 12,
            S13 = 13,
            S14 = 14,
            S15 = 15
        ),
        default = 5
    )]
    duration: Duration,
    /// Driving audio URL (WAV/MP3).
    audio_url: Option<String>,
    /// Output video resolution tier.
    #[param(values("720p", "1080p"), default = "1080p")]
    resolution: Resolution,
    /// Content to avoid in the video. Max 500 characters.
    #[param(max_length = 500)]
    negative_prompt: Option<String>,
    /// Enable content moderation for input and output.
    #[param(default = true)]
    enable_safety_checker: bool,
    /// Enable intelligent prompt rewriting.
    #[param(default = true)]
    enable_prompt_expansion: bool,
    /// The image to animate: the start frame of the video.
    #[param(image)]
    image: Image,
}
