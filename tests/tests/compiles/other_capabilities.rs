//! Models of the other capabilities, and an audio input: a speech-to-video model (an image
//! and an audio clip), a text-to-image model and a speech-to-text model.

mod talking_head {
    use videohub::{AudioInput, Image, video_model};

    /// A portrait that speaks.
    #[video_model(
        id = "acme-talk",
        name = "Acme Talk",
        vendor = "Acme",
        category = "speech-to-video"
    )]
    pub(crate) struct AcmeTalk {
        /// What the scene looks like.
        #[param(required)]
        prompt: String,
        /// The person who speaks.
        #[param(image)]
        portrait: Image,
        /// What they say.
        #[param(audio, rename = "audio_url")]
        speech: AudioInput,
    }
}

mod stills {
    use videohub::video_model;

    /// Still images from a prompt.
    #[video_model(
        id = "acme-still",
        name = "Acme Still",
        vendor = "Acme",
        category = "text-to-image"
    )]
    pub(crate) struct AcmeStill {
        /// What the image shows.
        #[param(required)]
        prompt: String,
        /// Its width in pixels.
        #[param(range(min = 64, max = 2048), default = 1024)]
        width: i64,
    }
}

mod transcripts {
    /// Text from speech, the audio input named by its full path.
    #[videohub::video_model(
        id = "acme-scribe",
        name = "Acme Scribe",
        vendor = "Acme",
        category = "speech-to-text"
    )]
    pub(crate) struct AcmeScribe {
        /// The speech.
        #[param(audio)]
        audio_url: videohub::media::AudioInput,
    }
}

use videohub::{AudioInput, Capability, Image, Model};

#[test]
fn models_of_the_other_capabilities_build() {
    let speech = || AudioInput::url("https://example.com/hello.mp3").unwrap();
    let talk = talking_head::AcmeTalk::builder()
        .prompt("a studio")
        .portrait(Image::url("https://example.com/face.png").unwrap())
        .speech(speech())
        .build();
    let input = talk.to_input();
    assert_eq!(input["audio_url"], "https://example.com/hello.mp3");
    assert_eq!(input["image_urls"][0], "https://example.com/face.png");
    assert_eq!(talking_head::AcmeTalk::CAPABILITY, Capability::Video);

    let still = stills::AcmeStill::builder().prompt("a lighthouse").build();
    assert_eq!(still.to_input()["width"], 1024);
    assert_eq!(stills::AcmeStill::CAPABILITY.endpoint(), "/hub/v1/image");

    let scribe = transcripts::AcmeScribe::builder()
        .audio_url(speech())
        .build();
    assert!(scribe.to_input()["audio_url"].is_string());
    assert_eq!(transcripts::AcmeScribe::CAPABILITY, Capability::Transcribe);
}
