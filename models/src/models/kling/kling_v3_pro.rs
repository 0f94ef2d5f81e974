//! Kling v3 Pro (`kling-v3-pro`), Kuaishou: text-to-video.

use super::Shot;
use crate::video_model;

/// Kling v3 Pro text-to-video with optional native audio.
#[video_model(
    id = "kling-v3-pro",
    name = "Kling v3 Pro",
    vendor = "Kuaishou",
    category = "text-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct KlingV3Pro {
    /// Text prompt for video generation. Either prompt or multi_prompt must be provided, but not both.
    #[param(exactly_one_of = "prompt")]
    prompt: Option<String>,
    /// The duration of the generated video in seconds
    #[param(
        values(
            S3 = "3",
            S4 = "4",
            S5 = "5",
            S6 = "6",
            S7 = "7",
            S8 = "8",
            S9 = "9",
            S10 = "10",
            S11 = "11",
            S12 = "12",
            S13 = "13",
            S14 = "14",
            S15 = "15"
        ),
        default = "5"
    )]
    duration: Duration,
    /// The CFG (Classifier Free Guidance) scale is a measure of how close you want the model to stick to your prompt.
    #[param(default = 0.5, range(min = 0.0, max = 1.0))]
    cfg_scale: f64,
    /// The type of multi-shot video generation. ‘intelligent’ lets the model automatically determine shot structure.
    #[param(values("customize", "intelligent"), default = "customize")]
    shot_type: ShotType,
    /// The aspect ratio of the generated video frame
    #[param(values("16:9", "9:16", "1:1"), default = "16:9")]
    aspect_ratio: AspectRatio,
    /// List of prompts for multi-shot video generation. If provided, overrides the single prompt and divides the video into multiple shots with specified prompts and durations.
    #[param(exactly_one_of = "prompt")]
    multi_prompt: Option<Vec<Shot<Duration>>>,
    /// Whether to generate native audio for the video. Supports Chinese and English voice output. Other languages are automatically translated to English. For English speech, use lowercase letters; for acronyms or proper nouns, use uppercase.
    #[param(default = true)]
    generate_audio: bool,
    /// What the video should not contain.
    #[param(default = "blur, distort, and low quality")]
    negative_prompt: String,
}
