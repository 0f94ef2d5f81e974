//! The hub's vocabulary, in one place: what it can generate ([`Capability`]), the kinds of
//! generation a model declares ([`Category`]) with the media inputs each takes ([`Input`]),
//! and the kinds of media files that go in and come out ([`Media`]).
//!
//! This crate has no dependencies (the `serde` feature adds `Serialize` and `Deserialize`
//! by the hub's names), so the `#[video_model]` macro, the runtime, the command line, the
//! journal, the studio and the sandbox all read the same tables. A new category or
//! capability is an edit here (and, for a kind of file the sandbox has no sample of, one
//! match arm there); a new input kind adds its setting to the macro and its type to the
//! runtime (BENCHMARKS.md §10 counts the files).
//!
//! ```
//! use videohub_vocab::{Capability, Category, Media};
//!
//! let category: Category = "image-to-video".parse().unwrap();
//! assert_eq!(category.capability(), Capability::Video);
//! assert_eq!(category.capability().endpoint(), "/hub/v1/video");
//! assert_eq!(category.inputs()[0].media, Media::Image);
//! ```

mod capability;
mod category;
mod format;
mod media;
#[cfg(feature = "serde")]
mod serde_impls;

pub use capability::{Capability, MODELS_PATH, TASKS_PATH};
pub use category::{Category, Input, UnknownCategory};
pub use format::{FileFormat, SIGNATURE_LEN};
pub use media::{IMAGE_LIST, Media};
