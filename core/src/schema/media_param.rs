//! Which kind of media file a parameter takes, told by what the schema says of it: its
//! media type (`contentMediaType`), its format (a file's: `uri`, `file`, `binary`…), its
//! name and its description, whatever the gateway's spelling (Cog's
//! `anyOf [{"type": "string", "format": "file"}, null]`, fal's `image_url`, OpenAPI's
//! `contentMediaType: image/png`).

use videohub_vocab::Media;

use super::{ParamSchema, ParamType};

/// The formats of a string that is a file or points at one.
const FILE_FORMATS: &[&str] = &[
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "file",
    "binary",
    "data-url",
];

/// The last words of a name whose value points at a file (`image_url`, `audio_file`).
const FILE_WORDS: &[&str] = &["url", "urls", "uri", "uris", "file", "files", "path"];

/// The words that name each kind of file, in a name or a description.
fn words(media: Media) -> &'static [&'static str] {
    match media {
        Media::Image => &["image", "frame"],
        Media::Video => &["video"],
        Media::Audio => &["audio"],
    }
}

impl ParamSchema {
    /// The kind of media file the parameter takes, when it takes one.
    ///
    /// Only a string, or a list of strings, that is not enumerated and has no format or a
    /// file's (`uri`, `file`, `binary`, `data-url`…) may take a file. Its kind is, in order:
    /// - the top-level type of its `contentMediaType` (`image/png`, `video/*`, `audio/mpeg`);
    /// - an image when its name holds `image` or `frame` (`image_url`, `first_frame`,
    ///   `reference_images`);
    /// - a video or an audio clip when its name holds `video` or `audio` and its value is a
    ///   file (a file's format or a media type, a name ending in `url`, `file` or `path`,
    ///   or the name `video`/`audio` itself);
    /// - for a file whose name says none of that, the first of those words in its
    ///   description (`subject_reference`: "a character reference image").
    ///
    /// ```
    /// use videohub_core::Media;
    /// use videohub_core::schema::ModelSchema;
    ///
    /// let json = serde_json::json!({"properties": {
    ///     "image": {"anyOf": [{"type": "string", "format": "file"}, {"type": "null"}]},
    ///     "subject_reference": {"type": "string", "format": "uri",
    ///         "description": "A character reference image to use as the subject"},
    ///     "soundtrack": {"type": "string", "contentMediaType": "audio/mpeg"},
    ///     "video_url": {"type": "string"},
    ///     "image_size": {"type": "string", "enum": ["square", "landscape"]},
    ///     "prompt": {"type": "string", "description": "What the video shows"}
    /// }});
    /// let schema = ModelSchema::from_json_schema("m", &json);
    /// let media = |name: &str| schema.param(name).unwrap().media();
    /// assert_eq!(media("image"), Some(Media::Image));
    /// assert_eq!(media("subject_reference"), Some(Media::Image));
    /// assert_eq!(media("soundtrack"), Some(Media::Audio));
    /// assert_eq!(media("video_url"), Some(Media::Video));
    /// assert_eq!(media("image_size"), None);
    /// assert_eq!(media("prompt"), None);
    /// ```
    pub fn media(&self) -> Option<Media> {
        let text = match self.ty {
            ParamType::String => true,
            ParamType::Array => self
                .items
                .as_ref()
                .is_none_or(|i| i.ty == ParamType::String),
            _ => false,
        };
        let format = self.more.format.as_deref();
        let file_format = format.is_some_and(|f| FILE_FORMATS.contains(&f));
        if !text || self.values.is_some() || (format.is_some() && !file_format) {
            return None;
        }
        let media_type = self.more.content_media_type.as_deref();
        if let Some(media) = media_type
            .and_then(|t| t.split('/').next())
            .and_then(|top| Media::from_name(&top.trim().to_ascii_lowercase()))
        {
            return Some(media);
        }
        let name = self.name.to_ascii_lowercase();
        let holds = |text: &str, media: Media| words(media).iter().any(|w| text.contains(w));
        if holds(&name, Media::Image) {
            return Some(Media::Image);
        }
        let file = file_format
            || media_type.is_some()
            || FILE_WORDS.contains(&last_word(&self.name).as_str());
        for media in [Media::Video, Media::Audio] {
            let itself = name.trim_end_matches('s') == media.as_str();
            if holds(&name, media) && (file || itself) {
                return Some(media);
            }
        }
        if !file {
            return None;
        }
        let description = self.description.to_ascii_lowercase();
        Media::ALL
            .into_iter()
            .filter_map(|media| {
                let first = words(media)
                    .iter()
                    .filter_map(|w| description.find(w))
                    .min()?;
                Some((first, media))
            })
            .min()
            .map(|(_, media)| media)
    }

    /// Whether the parameter takes an image ([`ParamSchema::media`]): a string or a list
    /// of strings named for one (`image`, `image_url`, `first_frame`, `tail_image_url`,
    /// `image_urls`…), typed as one (`contentMediaType: image/…`), or a file whose
    /// description says it is one.
    pub fn is_image(&self) -> bool {
        self.media() == Some(Media::Image)
    }
}

/// The last word of a name, lowercase: `url` of `image_url`, of `imageUrl` and of
/// `imageURL`.
fn last_word(name: &str) -> String {
    let word = name
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    let chars: Vec<char> = word.chars().collect();
    let start = (1..chars.len())
        .rev()
        .find(|&i| chars[i].is_ascii_uppercase() && chars[i - 1].is_ascii_lowercase())
        .unwrap_or(0);
    chars[start..]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ModelSchema;
    use serde_json::json;

    fn media_of(property: serde_json::Value) -> Option<Media> {
        let schema = ModelSchema::from_json_schema("m", &json!({"properties": {"p": property}}));
        schema.param("p").unwrap().media()
    }

    fn named(name: &str, property: serde_json::Value) -> Option<Media> {
        let schema = ModelSchema::from_json_schema("m", &json!({"properties": {name: property}}));
        schema.param(name).unwrap().media()
    }

    #[test]
    fn last_words() {
        for (name, last) in [
            ("image_url", "url"),
            ("imageUrl", "url"),
            ("imageURL", "url"),
            ("audio-file", "file"),
            ("video", "video"),
            ("x_", "x"),
            ("", ""),
        ] {
            assert_eq!(last_word(name), last, "{name}");
        }
    }

    #[test]
    fn a_media_type_decides() {
        let typed = |t: &str| media_of(json!({"type": "string", "contentMediaType": t}));
        assert_eq!(typed("image/png"), Some(Media::Image));
        assert_eq!(typed("video/*"), Some(Media::Video));
        assert_eq!(typed("Audio/MPEG"), Some(Media::Audio));
        // Another media type only says the value is a file: the name tells its kind.
        let octets = json!({"type": "string", "contentMediaType": "application/octet-stream"});
        assert_eq!(named("first_frame", octets.clone()), Some(Media::Image));
        assert_eq!(named("clip", octets), None);
    }

    #[test]
    fn names_tell_images_always_and_videos_and_audio_of_files() {
        let text = json!({"type": "string"});
        for name in [
            "image",
            "image_url",
            "tail_image_url",
            "first_frame",
            "startImage",
        ] {
            assert_eq!(named(name, text.clone()), Some(Media::Image), "{name}");
        }
        let list = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(named("reference_images", list), Some(Media::Image));
        for name in ["video_url", "video", "input_video_file", "videoUrl"] {
            assert_eq!(named(name, text.clone()), Some(Media::Video), "{name}");
        }
        assert_eq!(
            named(
                "reference_video",
                json!({"type": "string", "format": "uri"})
            ),
            Some(Media::Video)
        );
        assert_eq!(named("audio_url", text.clone()), Some(Media::Audio));
        assert_eq!(named("audio", text.clone()), Some(Media::Audio));
        // Text about a video or its sound is not a file of them.
        for name in ["audio_language", "video_prompt", "prompt"] {
            assert_eq!(named(name, text.clone()), None, "{name}");
        }
    }

    #[test]
    fn the_description_tells_a_file_named_for_nothing() {
        let file = |format: &str, description: &str| {
            media_of(json!({"type": "string", "format": format, "description": description}))
        };
        assert_eq!(
            file(
                "uri",
                "An optional character reference image to use as the subject in the generated video"
            ),
            Some(Media::Image)
        );
        assert_eq!(
            file("file", "The clip whose video is restyled"),
            Some(Media::Video)
        );
        assert_eq!(
            file("binary", "Speech audio, WAV or MP3"),
            Some(Media::Audio)
        );
        assert_eq!(file("uri", "Where the result is posted"), None);
        // Without a file's format, a description is only words.
        assert_eq!(
            named(
                "style",
                json!({"type": "string", "description": "The style of the video"})
            ),
            None
        );
        assert_eq!(
            named(
                "subject_url",
                json!({"type": "string", "description": "URL of the subject image"})
            ),
            Some(Media::Image)
        );
    }

    #[test]
    fn values_other_formats_and_other_types_are_no_files() {
        assert_eq!(
            named("image_size", json!({"type": "string", "enum": ["square"]})),
            None
        );
        assert_eq!(
            named("image", json!({"type": "string", "format": "date-time"})),
            None
        );
        assert_eq!(named("num_frames", json!({"type": "integer"})), None);
        assert_eq!(named("generate_audio", json!({"type": "boolean"})), None);
        assert_eq!(
            named(
                "reference_images",
                json!({"type": "array", "items": {"type": "object"}})
            ),
            None
        );
        // Cog's spelling of an optional file.
        assert_eq!(
            named(
                "image",
                json!({"anyOf": [{"type": "string", "format": "file"}, {"type": "null"}], "default": null})
            ),
            Some(Media::Image)
        );
    }
}
