use videohub::video_model;

/// A model whose bounds allow no value at all.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    prompt: String,
    /// An integer range the wrong way round.
    #[param(range(min = 10, max = 5))]
    seed: Option<i64>,
    /// A number range the wrong way round.
    #[param(range(min = 1.5, max = 0.5))]
    strength: Option<f64>,
}

fn main() {}
