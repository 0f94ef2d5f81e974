//! Typed, compile-time-checked requests for the hub's models: video first, and image, audio
//! and transcription models of your own through the same attribute, client and poller.
//!
//! Every hub model is a Rust type ([`models`]) whose builder rejects, at compile time, what
//! the hub would reject after a paid round trip: a missing required parameter, a value the
//! model does not allow, two parameters that exclude each other, the wrong number of
//! images. After the submit, the [`Client`] does the rest: polling, safe retries, typed
//! errors, streamed downloads.
//!
//! # Quick start
//!
//! Build a request, submit it, wait for the task, save the video:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use videohub::models::veo::{Veo31, veo_3_1::Resolution};
//! use videohub::{Client, Error, PollPolicy};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let hub = Client::from_env()?; // MOUNTSEA_API_KEY, MOUNTSEA_BASE_URL
//!     let request = Veo31::builder()
//!         .prompt("a red fox trotting through fresh snow")
//!         .resolution(Resolution::P1080)
//!         .build();
//!
//!     // Checked first: an invalid request is `Error::InvalidRequest` and nothing is sent.
//!     let task = match hub.submit(&request).await {
//!         Ok(task) => task,
//!         // The hub may have created (and will bill) a task: never send it again blindly.
//!         Err(Error::SubmitOutcomeUnknown { reason, .. }) => {
//!             return Err(format!("the submit's outcome is unknown: {reason}").into());
//!         }
//!         Err(error) => return Err(error.into()),
//!     };
//!     println!("task {}", task.id()); // another process resumes it: hub.task::<Veo31>(id)
//!
//!     let policy = PollPolicy::default().deadline(Duration::from_secs(15 * 60));
//!     match task.wait_with(policy).await {
//!         Ok(output) => {
//!             let bytes = output.save("fox.mp4").await?; // streamed, atomic, resumed after a cut
//!             println!("saved fox.mp4 ({bytes} bytes)");
//!         }
//!         Err(Error::TaskFailed { code, message, .. }) => {
//!             eprintln!("the hub could not make it: {code:?} {message:?}");
//!         }
//!         Err(error) => return Err(error.into()),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! The builder checks what it can at compile time, and what it cannot before any request:
//!
//! ```
//! use videohub::models::veo::{Veo31, veo_3_1::Resolution};
//! use videohub::Model;
//!
//! let request = Veo31::builder()
//!     .prompt("a red fox trotting through fresh snow")
//!     .resolution(Resolution::P1080)
//!     .build();
//! assert_eq!(request.duration().to_string(), "8s"); // the documented default
//! assert_eq!(request.to_input()["resolution"], "1080p");
//! ```
//!
//! More in `examples/` (each one run against the sandbox by the tests): text to video, image
//! to video from a local file, a task resumed by id in a new process, a model of your own,
//! a live model checked by its JSON Schema, progress as a stream.
//!
//! # What is where
//!
//! | you want | look at |
//! |---|---|
//! | a client and how it retries, polls and downloads | [`Client`], [`ClientBuilder`], [`PollPolicy`], [`RetryPolicy`], [`Clock`] |
//! | the hub's models, or one of your own | [`models`], [`video_model`], [`Model`] |
//! | a task and its files | [`Task`], [`TaskUpdate`], [`Output`], [`OutputFile`] |
//! | images, videos and audio to send | [`Image`], [`VideoInput`], [`AudioInput`] |
//! | what can go wrong | [`Error`], [`ValidationErrors`] |
//! | a model known only at run time | [`Client::live_schema`], [`Client::submit_checked`], [`ModelSchema`], [`schema`], [`codegen`] |
//!
//! # Features
//!
//! | feature | default | what it gives |
//! |---|---|---|
//! | `rustls-tls` | yes | TLS through rustls |
//! | `native-tls` | no | TLS through the platform's library (OpenSSL, Secure Transport, SChannel) |
//! | `live-schema` | yes | [`Client::live_schema`] and `LiveSchema`: the hub's JSON Schemas checked by a JSON Schema validator (about 40 more crates) |
//!
//! Durable jobs (a journal that survives crashes, batches, shared workers) are the
//! `videohub-journal` crate's; this crate never pulls in a database, a web server or a
//! command-line parser.

extern crate self as videohub;

// Client and policies.
pub use videohub_core::{
    API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, Clock, DEFAULT_BASE_URL,
    DEFAULT_MAX_DOWNLOAD_SIZE, MAX_REDIRECTS, PollPolicy, RetryPolicy, Schedule, TaskDurations,
    TokioClock, redirect_policy,
};

// Models and the macro.
pub mod models;
pub use videohub_core::{Capability, Model, Set, Unset, ValueEnum};

// Tasks and outputs.
pub use videohub_core::{
    Dynamic, Output, OutputFile, SubmitReceipt, Task, TaskState, TaskStatus, TaskUpdate,
};

// Where outputs go: paths, or objects in a bucket (uploads with `object-store`).
pub use videohub_core::{Destination, ObjectUrl, Scheme};
#[cfg(feature = "object-store")]
pub use videohub_core::{ObjectInfo, ObjectRead, Upload, Uploaded};

// Media.
pub use videohub_core::media;
pub use videohub_core::{AudioInput, Image, Media, MediaError, VideoInput};

// Errors.
pub use videohub_core::{Error, ErrorCode, ParamError, Result, ValidationErrors};

// Schemas, for models known only at run time.
pub mod codegen;
#[cfg(feature = "live-schema")]
pub use videohub_core::LiveSchema;
pub use videohub_core::schema;
pub use videohub_core::{InputSchema, JsonObject, ModelInfo, ModelSchema};

/// The hub's vocabulary: capabilities, categories and media kinds.
pub use videohub_core::vocab;

#[doc(hidden)]
pub use videohub_core::{__private, model};

/// Turns a struct of parameters into a typed hub model.
///
/// The attribute's own settings describe the model:
///
/// | setting | meaning |
/// |---|---|
/// | `id = "…"` | the hub's model id (`Model::ID`) |
/// | `name = "…"` | the human-readable name |
/// | `vendor = "…"` | the maker of the model |
/// | `category = "…"` | one of [`vocab::Category`]: `text-to-video`, `image-to-video`, `reference-to-video`, `first-last-frame`, `video-edit`, `speech-to-video`, `text-to-image`, `image-edit`, `text-to-audio`, `video-to-audio` or `speech-to-text`. It selects the model's [`Capability`] (`Model::CAPABILITY`: the endpoint and the kind of output files) and the media inputs the model takes ([`vocab::Category::inputs`]) |
/// | `crate = "path::to::videohub"` | *(optional)* the path of this crate in generated code, when it is not `::videohub` |
///
/// Each field is one parameter of the hub's `input`, its doc comment the parameter's
/// description, and `#[param(…)]` its rules:
///
/// | setting | meaning |
/// |---|---|
/// | `required` | the builder's `build()` does not exist until it is set |
/// | `default = lit` | the hub's default: the initial value, readable and sent explicitly; it must fit the parameter's values, range and length |
/// | *(neither)* | optional without default: the field is an `Option<_>`, omitted when unset |
/// | `values("a", B = "b", 5)` | generates an enum named by the field's type, one variant per value |
/// | `range(min = 0, max = 10)` | inclusive bounds of an integer or number, `min ≤ max`, checked by `validate()` before any request is sent |
/// | `max_length = 500` | a string's length in characters, checked by `validate()` |
/// | `exactly_one_of = "group"` | exactly one of the fields of the group, checked at compile time |
/// | `at_most_one_of = "group"` | at most one of them, checked at compile time |
/// | `rename = "wire"` | the wire name, when it differs from the field's |
/// | `image` | one image (type [`Image`], required), sent in the model's image list, or alone under its name when renamed (`#[param(image, rename = "image_url")]`, for a hub model whose schema names its image parameter); `image-to-video`, `image-edit` and `speech-to-video` take one, `first-last-frame` two (first, then last) |
/// | `images(min = 1, max = 9)` | `min` to `max` images (type `Vec<Image>`, required), sent as the model's image list; the count is checked at compile time for arrays, `try_…` for lists built at run time; `reference-to-video` only |
/// | `video` | one video (type [`VideoInput`], required), sent under the field's wire name; `video-edit` and `video-to-audio` |
/// | `audio` | one audio clip (type [`AudioInput`], required), sent under the field's wire name; `speech-to-video` and `speech-to-text` |
///
/// Media types may be written under any path that names them: `Image`, `videohub::Image`,
/// `::videohub::media::Image`.
///
/// It generates the builder (`Model::builder()`), one getter per parameter, the value
/// enums, and the [`Model`] impl with the model's static [`ModelSchema`]. Put each
/// model in a module of its own: its value enums are generated beside it.
///
/// ```
/// mod acme_1 {
///     use videohub::video_model;
///
///     /// Acme 1: a fast text-to-video model.
///     #[video_model(id = "acme-1", name = "Acme 1", vendor = "Acme", category = "text-to-video")]
///     #[derive(Debug, Clone)]
///     pub struct Acme1 {
///         /// What the video shows.
///         #[param(required, max_length = 2000)]
///         prompt: String,
///         /// The frame rate.
///         #[param(values(24, 30), default = 24)]
///         fps: Fps,
///         /// The seed of the random generator.
///         #[param(range(min = 0, max = 99))]
///         seed: Option<i64>,
///     }
/// }
/// use acme_1::{Acme1, Fps};
/// use videohub::Model;
///
/// let request = Acme1::builder().prompt("a fox").fps(Fps::V30).build();
/// assert_eq!(request.to_input()["fps"], 30);
/// assert!(Acme1::builder().prompt("a fox").seed(100).build().validate().is_err());
/// ```
///
/// Mistakes are compile errors at the offending token, e.g. a default that is not among
/// the values or outside the range, a range whose minimum is above its maximum, a required
/// parameter with a default, a media input on a category that does not take it, or an
/// unknown setting.
pub use videohub_macros::video_model;

/// The README's Rust examples, compiled as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
