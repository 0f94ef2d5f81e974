//! Media inputs declared with full paths to their types.

mod image_model {
    /// One image, named through the crate root.
    #[videohub::video_model(
        id = "acme-i2v",
        name = "Acme I2V",
        vendor = "Acme",
        category = "image-to-video"
    )]
    pub(crate) struct AcmeI2v {
        /// The prompt.
        #[param(required)]
        prompt: String,
        /// The first frame.
        #[param(image)]
        image: videohub::Image,
    }
}

mod first_last_model {
    /// Two images, named through the `media` module, one with a leading `::`.
    #[videohub::video_model(
        id = "acme-fl",
        name = "Acme FL",
        vendor = "Acme",
        category = "first-last-frame"
    )]
    pub(crate) struct AcmeFl {
        /// The first frame.
        #[param(image)]
        first_frame: ::videohub::media::Image,
        /// The last frame.
        #[param(image)]
        last_frame: videohub::media::Image,
    }
}

mod reference_model {
    /// A list of images, with full paths to both the list and its elements.
    #[videohub::video_model(
        id = "acme-ref",
        name = "Acme Ref",
        vendor = "Acme",
        category = "reference-to-video"
    )]
    pub(crate) struct AcmeRef {
        /// The references.
        #[param(images(min = 1, max = 3))]
        references: ::std::vec::Vec<::videohub::Image>,
    }
}

mod edit_model {
    /// A video, named through the `media` module.
    #[videohub::video_model(
        id = "acme-edit",
        name = "Acme Edit",
        vendor = "Acme",
        category = "video-edit"
    )]
    pub(crate) struct AcmeEdit {
        /// The prompt.
        #[param(required)]
        prompt: String,
        /// The video to edit.
        #[param(video)]
        video: videohub::media::VideoInput,
    }
}

use videohub::{Image, Model, VideoInput};

#[test]
fn media_inputs_declared_with_full_paths_build() {
    let frame = || Image::url("https://example.com/a.png").unwrap();
    let i2v = image_model::AcmeI2v::builder()
        .prompt("a fox")
        .image(frame())
        .build();
    assert_eq!(i2v.image().as_str(), "https://example.com/a.png");
    let fl = first_last_model::AcmeFl::builder()
        .first_frame(frame())
        .last_frame(frame())
        .build();
    assert_eq!(
        fl.to_input()["image_urls"].as_array().map(Vec::len),
        Some(2)
    );
    let refs = reference_model::AcmeRef::builder()
        .references([frame(), frame()])
        .build();
    assert_eq!(refs.references().len(), 2);
    assert!(refs.validate().is_ok());
    let video = VideoInput::url("https://example.com/a.mp4").unwrap();
    let edit = edit_model::AcmeEdit::builder()
        .prompt("snow")
        .video(video)
        .build();
    assert!(edit.to_input()["video"].is_string());
}
