//! Kling v3 Standard Image-to-Video (`kling-v3-standard-image`), Kuaishou: image-to-video.

use super::Shot;
use crate::{Image, video_model};

/// Kling v3 Standard animating a start image, optional native audio.
///
/// Provisional: the hub documents only this model's id and image rule, and its parameters
/// follow the upstream provider. `videohub models check` compares them with the live hub.
#[video_model(
    id = "kling-v3-standard-image",
    name = "Kling v3 Standard Image-to-Video",
    vendor = "Kuaishou",
    category = "image-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct KlingV3StandardImage {
    /// Text prompt; either prompt or multi_prompt, not both.
    #[param(exactly_one_of = "prompt")]
    prompt: Option<String>,
    /// Duration in seconds.
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
    /// How closely to follow the prompt.
    #[param(default = 0.5, range(min = 0.0, max = 1.0))]
    cfg_scale: f64,
    /// Multi-shot structure.
    #[param(values("customize", "intelligent"), default = "customize")]
    shot_type: ShotType,
    /// Per-shot prompts and durations.
    #[param(exactly_one_of = "prompt")]
    multi_prompt: Option<Vec<Shot<Duration>>>,
    /// Whether to generate native audio.
    #[param(default = true)]
    generate_audio: bool,
    /// What to avoid.
    #[param(default = "blur, distort, and low quality")]
    negative_prompt: String,
    /// The image to animate: the start frame of the video.
    #[param(image)]
    image: Image,
}
