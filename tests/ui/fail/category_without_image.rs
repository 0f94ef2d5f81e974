use videohub::video_model;

/// An image-to-video model that forgot its image.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "image-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
}

fn main() {}
