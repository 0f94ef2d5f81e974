use videohub::video_model;

/// A model whose limits and defaults do not fit their parameters.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// A range on a string.
    #[param(required, range(min = 0, max = 9))]
    prompt: String,
    /// A length on an integer.
    #[param(max_length = 10)]
    seed: Option<i64>,
    /// A fractional bound on an integer.
    #[param(default = 5, range(min = 0.5, max = 9))]
    steps: i64,
    /// A string default on a boolean.
    #[param(default = "yes")]
    generate_audio: bool,
    /// A default on a list.
    #[param(default = "a")]
    tags: Vec<String>,
}

fn main() {}
