use videohub::video_model;

/// A model with a required parameter that also has a default.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required, default = "a fox")]
    prompt: String,
}

fn main() {}
