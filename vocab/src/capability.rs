//! What the hub generates, each at its own submit endpoint.

use std::fmt;

use crate::Media;

/// The hub's task endpoint, for every capability: `GET {TASKS_PATH}/{task_id}`.
pub const TASKS_PATH: &str = "/hub/v1/tasks";

/// The hub's model catalog: `GET {MODELS_PATH}?capability=…` and `GET {MODELS_PATH}/{id}`.
pub const MODELS_PATH: &str = "/hub/v1/models";

/// What a model generates. Every capability takes the same `{"model", "input"}` submit at
/// its own endpoint, and its tasks are polled at the same [`TASKS_PATH`].
///
/// ```
/// use videohub_vocab::{Capability, Media};
///
/// assert_eq!(Capability::Image.endpoint(), "/hub/v1/image");
/// assert_eq!(Capability::Image.catalog_query(), ("capability", "image"));
/// assert_eq!(Capability::Image.output(), Some(Media::Image));
/// assert_eq!(Capability::Transcribe.output(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// Videos, at `POST /hub/v1/video`.
    Video,
    /// Images, at `POST /hub/v1/image`.
    Image,
    /// Speech, music or sound, at `POST /hub/v1/audio`.
    Audio,
    /// Text from speech, at `POST /hub/v1/transcribe`.
    Transcribe,
}

impl Capability {
    /// Every capability, in the hub's order.
    pub const ALL: [Capability; 4] = [
        Capability::Video,
        Capability::Image,
        Capability::Audio,
        Capability::Transcribe,
    ];

    /// The hub's name, e.g. `video`, as in a task's `capability` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::Video => "video",
            Capability::Image => "image",
            Capability::Audio => "audio",
            Capability::Transcribe => "transcribe",
        }
    }

    /// The path a request is submitted to, e.g. `/hub/v1/video`.
    pub const fn endpoint(self) -> &'static str {
        match self {
            Capability::Video => "/hub/v1/video",
            Capability::Image => "/hub/v1/image",
            Capability::Audio => "/hub/v1/audio",
            Capability::Transcribe => "/hub/v1/transcribe",
        }
    }

    /// The query pair that lists this capability's models at [`MODELS_PATH`].
    pub const fn catalog_query(self) -> (&'static str, &'static str) {
        ("capability", self.as_str())
    }

    /// The kind of file a finished task yields; `None` when the output is text in the
    /// task's `data` (a transcript).
    pub const fn output(self) -> Option<Media> {
        match self {
            Capability::Video => Some(Media::Video),
            Capability::Image => Some(Media::Image),
            Capability::Audio => Some(Media::Audio),
            Capability::Transcribe => None,
        }
    }

    /// The capability with this hub name.
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The capability whose submit endpoint is `path`.
    pub fn from_endpoint(path: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.endpoint() == path)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_endpoints_round_trip() {
        for capability in Capability::ALL {
            assert_eq!(Capability::from_name(capability.as_str()), Some(capability));
            assert_eq!(
                Capability::from_endpoint(capability.endpoint()),
                Some(capability)
            );
            assert!(capability.endpoint().ends_with(capability.as_str()));
        }
        assert_eq!(Capability::from_name("videos"), None);
    }
}
