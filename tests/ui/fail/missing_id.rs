use videohub::video_model;

/// A model without its hub id.
#[video_model(name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
}

fn main() {}
