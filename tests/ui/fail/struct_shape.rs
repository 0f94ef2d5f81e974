use std::collections::HashMap;

use videohub::video_model;

/// A model with an empty id, a split attribute and a type the hub cannot take.
#[video_model(id = " ", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// The prompt.
    #[param(required)]
    #[param(max_length = 10)]
    prompt: String,
    /// A map.
    extras: Option<HashMap<String, String>>,
}

/// A tuple struct.
#[video_model(id = "tuple", name = "Tuple", vendor = "Acme", category = "text-to-video")]
pub struct Tuple(String);

fn main() {}
