use videohub::video_model;

/// A model that enumerates a boolean.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// Whether to add sound.
    #[param(values(true, false), default = true)]
    generate_audio: bool,
}

fn main() {}
