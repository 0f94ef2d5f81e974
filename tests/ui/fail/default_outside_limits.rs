use videohub::video_model;

/// A model whose defaults break their own limits.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// A default longer than the parameter's length limit.
    #[param(default = "a fox in the snow", max_length = 5)]
    prompt: String,
    /// A default above the range.
    #[param(default = 12, range(min = 0, max = 10))]
    steps: i64,
    /// A default below the range.
    #[param(default = 0.1, range(min = 0.5, max = 2))]
    strength: f64,
}

fn main() {}
