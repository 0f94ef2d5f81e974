use videohub::{Image, video_model};

/// A text-to-video model that takes an image.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
    /// An image.
    #[param(image)]
    image: Image,
}

fn main() {}
