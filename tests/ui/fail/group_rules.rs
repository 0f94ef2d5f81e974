use videohub::video_model;

/// A model that misuses groups.
#[video_model(id = "demo", name = "Demo", vendor = "Acme", category = "text-to-video")]
pub struct Demo {
    /// A prompt in two kinds of group at once.
    #[param(exactly_one_of = "input", at_most_one_of = "input")]
    prompt: Option<String>,
    /// A script in the group.
    #[param(exactly_one_of = "input")]
    script: Option<String>,
    /// Shots in the same group, as at most one.
    #[param(at_most_one_of = "input")]
    shots: Option<String>,
    /// A required member of a group.
    #[param(required, exactly_one_of = "seeding")]
    seed: Option<i64>,
    /// Another member.
    #[param(exactly_one_of = "seeding")]
    clock: Option<bool>,
}

fn main() {}
