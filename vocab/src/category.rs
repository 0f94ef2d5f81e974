//! The kinds of generation a model declares, and the media inputs each takes.

use std::fmt;
use std::str::FromStr;

use crate::{Capability, Media};

/// One media input a category takes, in the order the hub reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The kind of file.
    pub media: Media,
    /// Whether the input is a list (`images(min = …, max = …)`) rather than one file.
    pub list: bool,
    /// The field name a model declares it under by convention, e.g. `first_frame`.
    pub field: &'static str,
    /// What the input is, as a doc comment of that field.
    pub doc: &'static str,
}

impl Input {
    const fn one(media: Media, field: &'static str, doc: &'static str) -> Input {
        Input {
            media,
            list: false,
            field,
            doc,
        }
    }
}

/// The kind of generation a model performs; it selects the model's [`Capability`] and the
/// media [`Input`]s the model takes.
///
/// ```
/// use videohub_vocab::{Capability, Category, Media};
///
/// let first_last: Category = "first-last-frame".parse().unwrap();
/// let fields: Vec<_> = first_last.inputs().iter().map(|i| i.field).collect();
/// assert_eq!(fields, ["first_frame", "last_frame"]);
/// assert_eq!(Category::TextToImage.capability(), Capability::Image);
/// assert!("text-to-vidoe".parse::<Category>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A video from a prompt alone.
    TextToVideo,
    /// A video that animates one source image.
    ImageToVideo,
    /// A video guided by several reference images.
    ReferenceToVideo,
    /// A video that moves from a first frame to a last frame.
    FirstLastFrame,
    /// A video made by editing an input video.
    VideoEdit,
    /// A video of a person in an image speaking an audio clip.
    SpeechToVideo,
    /// An image from a prompt alone.
    TextToImage,
    /// An image made by editing an input image.
    ImageEdit,
    /// Speech, music or sound from a prompt alone.
    TextToAudio,
    /// A soundtrack for an input video.
    VideoToAudio,
    /// A transcript of an audio clip.
    SpeechToText,
}

const ANIMATED: Input = Input::one(Media::Image, "image", "The image to animate.");
const REFERENCES: Input = Input {
    media: Media::Image,
    list: true,
    field: "reference_images",
    doc: "The reference images that guide the video.",
};
const FIRST_FRAME: Input = Input::one(Media::Image, "first_frame", "The first frame of the video.");
const LAST_FRAME: Input = Input::one(Media::Image, "last_frame", "The last frame of the video.");
const EDITED_VIDEO: Input = Input::one(Media::Video, "video", "The video to edit.");
const SPEAKER: Input = Input::one(Media::Image, "image", "The image of the person who speaks.");
const SPEECH: Input = Input::one(Media::Audio, "audio", "The speech they say.");
const EDITED_IMAGE: Input = Input::one(Media::Image, "image", "The image to edit.");
const SCORED_VIDEO: Input =
    Input::one(Media::Video, "video", "The video to make a soundtrack for.");
const TRANSCRIBED: Input = Input::one(Media::Audio, "audio", "The speech to transcribe.");

impl Category {
    /// Every category, video ones first, in the hub's order.
    pub const ALL: [Category; 11] = [
        Category::TextToVideo,
        Category::ImageToVideo,
        Category::ReferenceToVideo,
        Category::FirstLastFrame,
        Category::VideoEdit,
        Category::SpeechToVideo,
        Category::TextToImage,
        Category::ImageEdit,
        Category::TextToAudio,
        Category::VideoToAudio,
        Category::SpeechToText,
    ];

    /// The hub's name, e.g. `text-to-video`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::TextToVideo => "text-to-video",
            Category::ImageToVideo => "image-to-video",
            Category::ReferenceToVideo => "reference-to-video",
            Category::FirstLastFrame => "first-last-frame",
            Category::VideoEdit => "video-edit",
            Category::SpeechToVideo => "speech-to-video",
            Category::TextToImage => "text-to-image",
            Category::ImageEdit => "image-edit",
            Category::TextToAudio => "text-to-audio",
            Category::VideoToAudio => "video-to-audio",
            Category::SpeechToText => "speech-to-text",
        }
    }

    /// What a model of this category generates.
    pub const fn capability(self) -> Capability {
        match self {
            Category::TextToVideo
            | Category::ImageToVideo
            | Category::ReferenceToVideo
            | Category::FirstLastFrame
            | Category::VideoEdit
            | Category::SpeechToVideo => Capability::Video,
            Category::TextToImage | Category::ImageEdit => Capability::Image,
            Category::TextToAudio | Category::VideoToAudio => Capability::Audio,
            Category::SpeechToText => Capability::Transcribe,
        }
    }

    /// The media inputs a model of this category takes, in order.
    pub const fn inputs(self) -> &'static [Input] {
        match self {
            Category::TextToVideo | Category::TextToImage | Category::TextToAudio => &[],
            Category::ImageToVideo => &[ANIMATED],
            Category::ReferenceToVideo => &[REFERENCES],
            Category::FirstLastFrame => &[FIRST_FRAME, LAST_FRAME],
            Category::VideoEdit => &[EDITED_VIDEO],
            Category::SpeechToVideo => &[SPEAKER, SPEECH],
            Category::ImageEdit => &[EDITED_IMAGE],
            Category::VideoToAudio => &[SCORED_VIDEO],
            Category::SpeechToText => &[TRANSCRIBED],
        }
    }

    /// The category a model of `capability` most likely has, from the images it takes
    /// (`(min, max)` of its image list, `None` for none), for a schema that does not name
    /// its category: none → the first that takes no image; at most one → one image; exactly
    /// two → two images; more → a list of images. The first category of the capability when
    /// none fits.
    ///
    /// ```
    /// use videohub_vocab::{Capability, Category};
    ///
    /// assert_eq!(Category::guess(Capability::Video, Some((2, 2))), Category::FirstLastFrame);
    /// assert_eq!(Category::guess(Capability::Image, Some((1, 1))), Category::ImageEdit);
    /// assert_eq!(Category::guess(Capability::Image, None), Category::TextToImage);
    /// ```
    pub fn guess(capability: Capability, images: Option<(u32, u32)>) -> Category {
        let shape = |category: &Category| {
            let inputs = category.inputs().iter().filter(|i| i.media == Media::Image);
            let (singles, lists) =
                inputs.fold(
                    (0, 0),
                    |(s, l), i| {
                        if i.list { (s, l + 1) } else { (s + 1, l) }
                    },
                );
            match images {
                None => singles == 0 && lists == 0,
                Some((_, max)) if max <= 1 => singles == 1 && lists == 0,
                Some((2, 2)) => singles == 2 && lists == 0,
                Some(_) => lists == 1,
            }
        };
        let mut of_capability = Category::ALL
            .into_iter()
            .filter(|c| c.capability() == capability);
        let first = of_capability
            .clone()
            .next()
            .unwrap_or(Category::TextToVideo);
        of_capability.find(shape).unwrap_or(first)
    }

    /// The inputs in words, e.g. `two images, the first frame then the last frame`.
    pub const fn takes(self) -> &'static str {
        match self {
            Category::TextToVideo | Category::TextToImage | Category::TextToAudio => {
                "no images, videos or audio"
            }
            Category::ImageToVideo | Category::ImageEdit => "one image",
            Category::ReferenceToVideo => "one list of images",
            Category::FirstLastFrame => "two images, the first frame then the last frame",
            Category::VideoEdit | Category::VideoToAudio => "a video",
            Category::SpeechToVideo => "one image, then one audio clip",
            Category::SpeechToText => "one audio clip",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown category name; it lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCategory(pub String);

impl fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown category `{}`: expected one of ", self.0)?;
        for (i, category) in Category::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{category}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCategory {}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_parses_back_and_its_inputs_fit_its_words() {
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
            let inputs = category.inputs();
            assert_eq!(inputs.is_empty(), category.takes().starts_with("no "));
            // Only images are taken as a list; a list is the only input of its category.
            for input in inputs.iter().filter(|i| i.list) {
                assert_eq!(input.media, Media::Image);
                assert_eq!(inputs.len(), 1);
            }
        }
    }

    #[test]
    fn every_capability_has_a_category() {
        for capability in Capability::ALL {
            assert!(Category::ALL.iter().any(|c| c.capability() == capability));
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let error = "video-to-video".parse::<Category>().unwrap_err();
        assert!(error.to_string().starts_with(
            "unknown category `video-to-video`: expected one of text-to-video, image-to-video"
        ));
    }
}
