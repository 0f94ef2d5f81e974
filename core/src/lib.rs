//! The parts of videohub that every model shares: the schema types a `#[video_model]` fills,
//! the [`VideoModel`] trait that wires a model to the hub, and the validation errors.
//!
//! Users depend on the `videohub` crate, which re-exports everything here.

pub mod media;
pub mod model;
pub mod schema;

#[doc(hidden)]
pub mod __private;

pub use media::{Image, MediaError, VideoInput};
pub use model::{Set, Unset, VideoModel, ValueEnum};
pub use schema::{ModelSchema, ParamError, ValidationErrors};
