use videohub::{AudioInput, Image, video_model};

/// An audio clip declared as a string.
#[video_model(id = "demo-a", name = "Demo A", vendor = "Acme", category = "speech-to-text")]
pub struct DemoA {
    /// The speech, with the wrong type.
    #[param(audio)]
    audio: String,
}

/// An audio clip on a model that takes none.
#[video_model(id = "demo-b", name = "Demo B", vendor = "Acme", category = "text-to-image")]
pub struct DemoB {
    /// The prompt.
    #[param(required)]
    prompt: String,
    /// A soundtrack an image model cannot take.
    #[param(audio)]
    soundtrack: AudioInput,
}

/// A speech-to-video model without its audio clip.
#[video_model(id = "demo-c", name = "Demo C", vendor = "Acme", category = "speech-to-video")]
pub struct DemoC {
    /// The person.
    #[param(image)]
    portrait: Image,
}

/// One input declared as both an image and an audio clip.
#[video_model(id = "demo-d", name = "Demo D", vendor = "Acme", category = "speech-to-text")]
pub struct DemoD {
    /// Both.
    #[param(audio, image)]
    clip: AudioInput,
}

fn main() {}
