use videohub::{Image, video_model};

/// A reference-to-video model that misuses media inputs.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "reference-to-video")]
pub struct Demo {
    /// Both an image and a video.
    #[param(image, video)]
    frame: Image,
    /// Bounds the wrong way round.
    #[param(images(min = 5, max = 2))]
    references: Vec<Image>,
    /// Allowed values on an image.
    #[param(image, values("a"))]
    style_image: Image,
}

fn main() {}
