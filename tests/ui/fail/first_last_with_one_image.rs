use videohub::{Image, video_model};

/// A first-last-frame model with a single image.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "first-last-frame")]
pub struct Demo {
    /// The first frame.
    #[param(image)]
    first_frame: Image,
}

fn main() {}
