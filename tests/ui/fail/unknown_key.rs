use videohub::video_model;

/// A model with a misspelled parameter setting.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(requird)]
    prompt: String,
}

fn main() {}
