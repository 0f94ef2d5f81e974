//! videohub
extern crate self as videohub;
pub use videohub_core::*;
pub use videohub_macros::video_model;
