use videohub::video_model;

/// A model of a category the hub does not have.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-3d")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
}

fn main() {}
