use videohub::video_model;

/// A model whose values are not literals.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// A path as a variant name.
    #[param(values(sizes::P720 = "720p"), default = "720p")]
    resolution: Resolution,
    /// A call as a value.
    #[param(values(S4 = four()), default = "4")]
    duration: Duration,
    /// A word as a value.
    #[param(values(auto), default = "auto")]
    aspect_ratio: AspectRatio,
}

fn main() {}
