use videohub::video_model;

/// A model whose required and defaulted parameters are `Option`s.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: Option<String>,
    /// Sound.
    #[param(default = true)]
    generate_audio: Option<bool>,
}

fn main() {}
