use videohub::video_model;

/// A model with a group of a single parameter.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(exactly_one_of = "input")]
    prompt: Option<String>,
}

fn main() {}
