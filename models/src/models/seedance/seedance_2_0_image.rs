//! Seedance 2.0 Image-to-Video (`seedance-2.0-image`), ByteDance: image-to-video.

use crate::{Image, video_model};

/// Seedance 2.0 animating a source image with native audio.
///
/// Provisional: the hub documents only this model's id and image rule, and its parameters
/// follow the upstream provider. `videohub models check` compares them with the live hub.
#[video_model(
    id = "seedance-2.0-image",
    name = "Seedance 2.0 Image-to-Video",
    vendor = "ByteDance",
    category = "image-to-video"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Seedance20Image {
    /// Random seed for reproducibility. Note that results may still vary slightly even with the same seed.
    seed: Option<i64>,
    /// The text prompt used to generate the video
    #[param(required)]
    prompt: String,
    /// Duration of the video in seconds (4-15).
    #[param(
        values(
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
        default = "4"
    )]
    duration: Duration,
    /// Video resolution - 480p for faster generation, 720p for balance, 1080p for highest quality.
    #[param(values("480p", "720p", "1080p"), default = "720p")]
    resolution: Resolution,
    /// The unique user ID of the end user.
    end_user_id: Option<String>,
    /// The aspect ratio of the generated video. Use 16:9 for landscape, 9:16 for portrait/vertical, 1:1 for square, 21:9 for ultrawide cinematic, or auto to let the model decide.
    #[param(
        values("auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        default = "auto"
    )]
    aspect_ratio: AspectRatio,
    /// Whether to generate synchronized audio for the video, including sound effects, ambient sounds, and lip-synced speech. The cost of video generation is the same regardless of whether audio is generated or not.
    #[param(default = true)]
    generate_audio: bool,
    /// The image to animate: the start frame of the video.
    #[param(image)]
    image: Image,
}
