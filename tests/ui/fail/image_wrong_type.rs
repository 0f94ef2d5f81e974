use videohub::video_model;

/// An image given as a plain string.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "image-to-video")]
pub struct Demo {
    /// The image.
    #[param(image)]
    image: String,
}

fn main() {}
