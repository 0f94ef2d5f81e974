//! Images, videos and audio given to a model: a URL the hub fetches, or, explicitly, a local file
//! or bytes sent inline as a `data:` URI.
//!
//! The hub documents URLs (`input.image_urls`); whether it accepts `data:` URIs is not
//! documented, so the inline constructors say so in their names' docs and are opt-in.

use std::fmt;
use std::path::Path;

use base64::Engine;
use serde::{Serialize, Serializer};

/// Why a media input could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The text is not an absolute `http` or `https` URL.
    #[error("`{url}` is not an http(s) URL: {reason}")]
    InvalidUrl {
        /// The URL as given (cut to 200 characters).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A local file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The MIME type of a local file could not be told from its extension (the bytes can
    /// still be given with their MIME type, through `from_bytes`).
    #[error("cannot tell the media type of `{path}` from its extension")]
    UnknownType {
        /// The file.
        path: String,
    },
}

/// A URL or `data:` URI, checked when it was made.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Source(String);

impl Source {
    fn url(url: &str) -> Result<Source, MediaError> {
        let invalid = |reason: &str| MediaError::InvalidUrl {
            url: url.chars().take(200).collect(),
            reason: reason.to_owned(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(
                "only http and https URLs can be fetched by the hub",
            ));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the URL has no host"));
        }
        Ok(Source(parsed.into()))
    }

    fn bytes(bytes: &[u8], mime: &str) -> Source {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        Source(format!("data:{mime};base64,{encoded}"))
    }

    fn file(path: &Path, kind: &str) -> Result<Source, MediaError> {
        let shown = path.display().to_string();
        let mime = mime_guess::from_path(path)
            .iter()
            .find(|m| m.type_() == kind)
            .ok_or_else(|| MediaError::UnknownType {
                path: shown.clone(),
            })?;
        let bytes = std::fs::read(path).map_err(|source| MediaError::Io {
            path: shown,
            source,
        })?;
        Ok(Source::bytes(&bytes, mime.essence_str()))
    }
}

/// Shows URLs whole and `data:` URIs by their type and size only.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once(',') {
            Some((head, data)) if self.0.starts_with("data:") => {
                write!(f, "{head},<{} base64 characters>", data.len())
            }
            _ => f.write_str(&self.0),
        }
    }
}

macro_rules! media_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(Source);

        impl $name {
            #[doc = concat!("The ", $kind, " the hub fetches from an `http` or `https` URL.")]
            ///
            /// ```
            #[doc = concat!("let input = videohub_core::", stringify!($name), "::url(\"", $example, "\").unwrap();")]
            #[doc = concat!("assert_eq!(input.as_str(), \"", $example, "\");")]
            #[doc = concat!("assert!(videohub_core::", stringify!($name), "::url(\"ftp://example.com/a\").is_err());")]
            /// ```
            pub fn url(url: impl AsRef<str>) -> Result<Self, MediaError> {
                Source::url(url.as_ref()).map(Self)
            }

            #[doc = concat!("The local ", $kind, " file sent inline as a `data:` URI, its MIME type told by its extension.")]
            ///
            /// Whether the hub accepts `data:` URIs is not documented: prefer a URL where one exists.
            pub fn from_file(path: impl AsRef<Path>) -> Result<Self, MediaError> {
                Source::file(path.as_ref(), $kind).map(Self)
            }

            #[doc = concat!("The ", $kind, " in memory sent inline as a `data:` URI of the given MIME type.")]
            ///
            /// Whether the hub accepts `data:` URIs is not documented: prefer a URL where one exists.
            pub fn from_bytes(bytes: impl AsRef<[u8]>, mime: &str) -> Self {
                Self(Source::bytes(bytes.as_ref(), mime))
            }

            /// The URL or `data:` URI sent to the hub.
            pub fn as_str(&self) -> &str {
                &self.0.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

media_type!(
    /// An image given to a model: a frame to animate, a first or last frame, a reference.
    Image,
    "image",
    "https://example.com/fox.png"
);

media_type!(
    /// A video given to a model, such as the clip a video-edit model changes.
    VideoInput,
    "video",
    "https://example.com/clip.mp4"
);

media_type!(
    /// An audio clip given to a model, such as the speech a speech-to-video model animates.
    AudioInput,
    "audio",
    "https://example.com/speech.mp3"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(Image::url("https://cdn.example.com/a.png?x=1").is_ok());
        assert!(Image::url("http://127.0.0.1:8080/a.png").is_ok());
        for bad in [
            "",
            "cdn.example.com/a.png",
            "file:///tmp/a.png",
            "data:image/png;base64,AAAA",
            "https://",
        ] {
            assert!(Image::url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bytes_become_data_uris_and_debug_stays_short() {
        let image = Image::from_bytes([0u8, 1, 2, 255], "image/png");
        assert_eq!(image.as_str(), "data:image/png;base64,AAEC/w==");
        assert_eq!(
            format!("{image:?}"),
            "Image(data:image/png;base64,<8 base64 characters>)"
        );
        assert_eq!(
            serde_json::to_value(&image).unwrap(),
            "data:image/png;base64,AAEC/w=="
        );
    }

    #[test]
    fn files_are_typed_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("frame.png");
        std::fs::write(&png, [1u8, 2, 3]).unwrap();
        assert_eq!(
            Image::from_file(&png).unwrap().as_str(),
            "data:image/png;base64,AQID"
        );
        let clip = dir.path().join("clip.mp4");
        std::fs::write(&clip, [1u8]).unwrap();
        assert!(
            VideoInput::from_file(&clip)
                .unwrap()
                .as_str()
                .starts_with("data:video/mp4;base64,")
        );
        let speech = dir.path().join("speech.mp3");
        std::fs::write(&speech, [1u8]).unwrap();
        assert!(
            AudioInput::from_file(&speech)
                .unwrap()
                .as_str()
                .starts_with("data:audio/mpeg;base64,")
        );
        assert!(matches!(
            AudioInput::from_file(&png),
            Err(MediaError::UnknownType { .. })
        ));
        assert!(matches!(
            Image::from_file(&clip),
            Err(MediaError::UnknownType { .. })
        ));
        assert!(matches!(
            Image::from_file(dir.path().join("missing.png")),
            Err(MediaError::Io { .. })
        ));
    }
}
