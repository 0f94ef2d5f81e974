use videohub::{Image, VideoInput, video_model};

/// A reference-to-video model with a video and two image lists.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "reference-to-video")]
pub struct Demo {
    /// Style references.
    #[param(images(min = 1, max = 3))]
    styles: Vec<Image>,
    /// Subject references.
    #[param(images(min = 1, max = 3))]
    subjects: Vec<Image>,
    /// A video on a model that does not edit videos.
    #[param(video)]
    clip: VideoInput,
}

fn main() {}
