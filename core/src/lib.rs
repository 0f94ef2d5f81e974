//! The parts of videohub that every model shares: the schema types a `#[video_model]` fills,
//! the [`Model`] trait that wires a model to the hub, the validation errors, and the
//! hub [`Client`] with its task poller, errors and downloads.
//!
//! Users depend on the `videohub` crate, which re-exports everything here.
//!
//! # Layers
//!
//! A module uses modules of its own layer and of those below, never one above, and no
//! modules use each other in a circle (the `layers` tests read the code to check it).
//!
//! ```text
//!  client/        Client (the whole public API of the hub) and its ClientBuilder
//!  ───────────────────────────────────────────────────────────────────────────────
//!  catalog        poll/ (policy, poller)        download/ (part files, file checks,
//!                       task          output              uploads to objects)
//!  ───────────────────────────────────────────────────────────────────────────────
//!  hub            the handle tasks, polls, outputs and downloads share:
//!                 transport + download settings + learned durations (learned)
//!                 + the object stores opened (objects/, with `object-store`)
//!  ───────────────────────────────────────────────────────────────────────────────
//!  wire/          transport, request (verdict on failures), retry (RetryPolicy and
//!                 the one retry loop), body, key: knows nothing of Client or tasks
//!  ───────────────────────────────────────────────────────────────────────────────
//!  clock   error   redact   url_rules   object_url   schema/   model   media   vocab
//! ```
//!
//! Every wait and every "now" goes through the [`Clock`] (tokio's by default; supply one
//! with [`ClientBuilder::clock`]).

pub mod media;
pub mod model;
pub mod schema;

mod catalog;
mod client;
mod clock;
mod download;
mod error;
mod hub;
mod learned;
mod object_url;
#[cfg(feature = "object-store")]
mod objects;
mod output;
mod poll;
mod redact;
mod task;
mod url_rules;
mod wire;

/// The layers above, checked against the code.
#[cfg(test)]
mod layers;

#[doc(hidden)]
pub mod __private;

/// The hub's vocabulary: capabilities, categories and media kinds (the `videohub-vocab`
/// crate, shared with the `#[video_model]` macro).
pub use videohub_vocab as vocab;
pub use videohub_vocab::{Capability, Media};

pub use media::{AudioInput, Image, MediaError, VideoInput};
pub use model::{JsonObject, Model, Set, Unset, ValueEnum};
#[cfg(feature = "live-schema")]
pub use schema::LiveSchema;
pub use schema::{InputSchema, ModelSchema, ParamError, ValidationErrors};

pub use catalog::ModelInfo;
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_DOWNLOAD_SIZE,
};
#[cfg(feature = "object-store")]
pub use client::{ObjectInfo, ObjectRead};
pub use clock::{Clock, TokioClock};
pub use error::{Error, ErrorCode, Result};
pub use learned::TaskDurations;
pub use object_url::{Destination, ObjectUrl, Scheme};
#[cfg(feature = "object-store")]
pub use objects::{Upload, Uploaded};
pub use output::{Output, OutputFile};
pub use poll::{PollPolicy, Schedule, TaskUpdate};
pub use task::{Dynamic, SubmitReceipt, Task, TaskState, TaskStatus};
pub use url_rules::{MAX_REDIRECTS, redirect_policy};
pub use wire::RetryPolicy;
