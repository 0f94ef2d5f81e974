use videohub::video_model;

/// A model with two fields sent under the same name.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
    /// The prompt again, under another field name.
    #[param(rename = "prompt")]
    text: Option<String>,
}

fn main() {}
