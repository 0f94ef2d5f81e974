mod talking_head {
    use videohub::{AudioInput, Image, video_model};

    /// A portrait that speaks.
    #[video_model(id = "acme-talk", name = "Acme Talk", vendor = "Acme", category = "speech-to-video")]
    pub struct AcmeTalk {
        /// The person who speaks.
        #[param(image)]
        portrait: Image,
        /// What they say.
        #[param(audio)]
        speech: AudioInput,
    }
}

fn main() {
    let portrait = videohub::Image::url("https://example.com/face.png").unwrap();
    let _request = talking_head::AcmeTalk::builder().portrait(portrait).build();
}
