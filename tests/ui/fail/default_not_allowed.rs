use videohub::video_model;

/// A model whose default is not one of its values.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The resolution.
    #[param(values(P720 = "720p", P1080 = "1080p"), default = "4k")]
    resolution: Resolution,
}

fn main() {}
