//! The kinds of media files a model takes or yields.

use std::fmt;

/// The wire name of the one list every image input of a request is sent in, in the order
/// of the model's fields; videos and audio clips are each sent under a parameter of their own.
pub const IMAGE_LIST: &str = "image_urls";

/// A kind of media file: given to a model as an input, or generated as its output.
///
/// ```
/// use videohub_vocab::Media;
///
/// assert_eq!(Media::Video.input_type(), "VideoInput");
/// assert_eq!(Media::Audio.output_keys(), ["audio", "audios", "audio_url", "audio_urls"]);
/// assert_eq!(Media::Image.extension(), "png");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Media {
    /// A picture: a frame to animate, a reference, a generated image.
    Image,
    /// A video clip.
    Video,
    /// Speech, music or sound.
    Audio,
}

impl Media {
    /// Every kind.
    pub const ALL: [Media; 3] = [Media::Image, Media::Video, Media::Audio];

    /// The name, e.g. `video`: the MIME top-level type of its files, and the setting that
    /// declares one such input in `#[param(…)]`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Media::Image => "image",
            Media::Video => "video",
            Media::Audio => "audio",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Media> {
        Media::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The Rust type of one input of this kind, as the `videohub` crate names it.
    pub const fn input_type(self) -> &'static str {
        match self {
            Media::Image => "Image",
            Media::Video => "VideoInput",
            Media::Audio => "AudioInput",
        }
    }

    /// The file extension of a generated file when the hub names none.
    pub const fn extension(self) -> &'static str {
        match self {
            Media::Image => "png",
            Media::Video => "mp4",
            Media::Audio => "mp3",
        }
    }

    /// The keys of a task's `data` that hold files of this kind, in the order they are
    /// read: one file (`{"video": {"url", …}}` or `{"video": "<url>"}`), a list of them, one
    /// URL, a list of URLs.
    pub const fn output_keys(self) -> [&'static str; 4] {
        match self {
            Media::Image => ["image", "images", "image_url", "image_urls"],
            Media::Video => ["video", "videos", "video_url", "video_urls"],
            Media::Audio => ["audio", "audios", "audio_url", "audio_urls"],
        }
    }
}

impl fmt::Display for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keys_are_made_of_the_name() {
        for media in Media::ALL {
            let name = media.as_str();
            let expected = [
                name.to_owned(),
                format!("{name}s"),
                format!("{name}_url"),
                format!("{name}_urls"),
            ];
            assert_eq!(media.output_keys().map(str::to_owned), expected);
        }
    }
}
