//! Typed, compile-time-checked requests for the hub's video models.
//!
//! Every hub model is a Rust type ([`models`]) whose builder rejects, at compile time, what
//! the hub would reject after a paid round trip: a missing required parameter, a value the
//! model does not allow, two parameters that exclude each other.
//!
//! ```
//! use videohub::models::veo::{Veo31, veo_3_1::Resolution};
//! use videohub::VideoModel;
//!
//! let request = Veo31::builder()
//!     .prompt("a red fox trotting through fresh snow")
//!     .resolution(Resolution::P1080)
//!     .build();
//! assert_eq!(request.duration().to_string(), "8s"); // the documented default
//! assert_eq!(request.to_input()["resolution"], "1080p");
//! ```
//!
//! A model of your own is a struct annotated with [`video_model`]; it needs no other
//! dependency than this crate.

extern crate self as videohub;

pub mod models;

pub use videohub_core::*;
pub use videohub_macros::video_model;
