//! The parts of videohub that every model shares: the schema types a `#[video_model]` fills,
//! the [`Model`] trait that wires a model to the hub, the validation errors, and the
//! hub [`Client`] with its task poller, errors and downloads.
//!
//! Users depend on the `videohub` crate, which re-exports everything here.

pub mod media;
pub mod model;
pub mod schema;

mod catalog;
mod client;
mod config;
mod download;
mod error;
mod file_checks;
mod http;
mod output;
mod part;
mod poll;
mod redact;
mod retry;
mod task;
mod transport;
mod url_rules;

#[doc(hidden)]
pub mod __private;

/// The hub's vocabulary: capabilities, categories and media kinds (the `videohub-vocab`
/// crate, shared with the `#[video_model]` macro).
pub use videohub_vocab as vocab;
pub use videohub_vocab::{Capability, Media};

pub use media::{AudioInput, Image, MediaError, VideoInput};
pub use model::{JsonObject, Model, Set, Unset, ValueEnum};
pub use schema::{ModelSchema, ParamError, ValidationErrors};

pub use catalog::ModelInfo;
pub use client::Client;
pub use config::{
    API_KEY_ENV, BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_DOWNLOAD_SIZE,
};
pub use error::{Error, ErrorCode, Result};
pub use output::{Output, OutputFile};
pub use part::{check_destination, create_part_file};
pub use poll::{PollPolicy, Schedule, TaskDurations, TaskUpdate};
pub use redact::{REDACTED, redact_secrets};
pub use retry::RetryPolicy;
pub use task::{Dynamic, SubmitReceipt, Task, TaskState, TaskStatus};
pub use url_rules::{MAX_REDIRECTS, redirect_policy};
