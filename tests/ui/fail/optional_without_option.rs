use videohub::video_model;

/// A model whose optional parameter has no default and no `Option`.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The seed.
    seed: i64,
}

fn main() {}
