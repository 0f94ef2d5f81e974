use videohub::video_model;

/// A model that names two enums alike.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The resolution of the video.
    #[param(values("720p", "1080p"), default = "720p")]
    resolution: Resolution,
    /// The resolution of the preview.
    #[param(values("360p", "480p"), default = "360p")]
    preview_resolution: Resolution,
}

fn main() {}
