use videohub::video_model;

/// A model with malformed allowed values.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// Values on a plain string.
    #[param(values("a", "b"), default = "a")]
    style: String,
    /// Strings and integers mixed.
    #[param(values("4", 5), default = "4")]
    duration: Duration,
    /// A value listed twice.
    #[param(values("720p", "720p"), default = "720p")]
    resolution: Resolution,
    /// Two values with one name.
    #[param(values(Wide = "16:9", Wide = "21:9"), default = "16:9")]
    aspect_ratio: AspectRatio,
    /// A float value.
    #[param(values(0.5, 1.5), default = 0.5)]
    speed: Speed,
    /// No values at all.
    #[param(values(), default = "x")]
    mood: Mood,
}

fn main() {}
