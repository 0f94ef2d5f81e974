//! WAN 2.7 (`wan-2.7`), Alibaba: text-to-video.

use crate::video_model;

/// WAN 2.7 text-to-video - high quality generation. Default resolution is 1080p.
#[video_model(
    id = "wan-2.7",
    name = "WAN 2.7",
    vendor = "Alibaba",
    category = "text-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Wan27 {
    /// Random seed for reproducibility (0-2147483647).
    #[param(range(min = 0, max = 2147483647))]
    seed: Option<i64>,
    /// Text prompt describing the desired video. Max 5000 characters.
    #[param(required, max_length = 5000)]
    prompt: String,
    /// Output video duration in seconds (2-15).
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
    /// URL of driving audio. Supports WAV and MP3. Duration: 3-30s. Max 15 MB. If not provided, the model auto-generates matching background music.
    audio_url: Option<String>,
    /// Output video resolution tier.
    #[param(values("720p", "1080p"), default = "1080p")]
    resolution: Resolution,
    /// Aspect ratio of the generated video.
    #[param(values("16:9", "9:16", "1:1", "4:3", "3:4"), default = "16:9")]
    aspect_ratio: AspectRatio,
    /// Content to avoid in the video. Max 500 characters.
    #[param(max_length = 500)]
    negative_prompt: Option<String>,
    /// Enable content moderation for input and output.
    #[param(default = true)]
    enable_safety_checker: bool,
    /// Enable intelligent prompt rewriting.
    #[param(default = true)]
    enable_prompt_expansion: bool,
}
