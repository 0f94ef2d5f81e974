//! The parts of videohub that every model shares: the schema types a `#[video_model]` fills,
//! the [`VideoModel`] trait that wires a model to the hub, the validation errors, and the
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
mod http;
mod output;
mod poll;
mod retry;
mod task;
mod transport;

#[doc(hidden)]
pub mod __private;

pub use media::{Image, MediaError, VideoInput};
pub use model::{JsonObject, Set, Unset, ValueEnum, VideoModel};
pub use schema::{ModelSchema, ParamError, ValidationErrors};

pub use catalog::ModelInfo;
pub use client::{Client, VIDEO_ENDPOINT};
pub use config::{API_KEY_ENV, BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{Error, ErrorCode, Result};
pub use output::{Output, Video};
pub use poll::{PollPolicy, Schedule, TaskDurations, TaskUpdate};
pub use retry::RetryPolicy;
pub use task::{Dynamic, SubmitReceipt, Task, TaskState, TaskStatus};
