//! A local hub: the hub's video and image API served in-process on an ephemeral port, so that a
//! client can be tried without a key or money, and tested over real HTTP, failures included.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use videohub_sandbox::{FaultSpec, Sandbox};
//!
//! let sandbox = Sandbox::builder()
//!     .time_scale(0.002) // a 60 s task takes about 120 ms
//!     .faults("seed=7,rate=0.2,kinds=500+429+reset-after".parse().unwrap())
//!     .start()
//!     .await?;
//! println!("POST {}/hub/v1/video with any Bearer key", sandbox.url());
//! let counters = sandbox.counters();
//! assert_eq!(counters.tasks_created, 0);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What it serves
//!
//! On the API origin ([`SandboxHandle::url`]), every `/hub/v1` call needs
//! `Authorization: Bearer <key>` (any non-empty key, or the one set with
//! [`SandboxBuilder::api_key`]); otherwise 401.
//!
//! - `POST /hub/v1/video` and `POST /hub/v1/image` ([`CAPABILITIES`]) with
//!   `{"model", "input"}`: the input is checked with [`ModelSchema::validate_input`]. A bad
//!   input gets 422 with `{"error": "invalid_input", "message", "errors": [{"param",
//!   "message"}]}`, an unknown model 404, a model of the other capability, or invalid JSON,
//!   400, a full task store 429. The answer is `{"taskId"}` or the long shape
//!   ([`SubmitShape`]).
//! - `GET /hub/v1/tasks/{task_id}`: `task_id`, `status` (`pending`, `processing`, then
//!   `completed`, `failed` or `timeout`), `ready`, `elapsed_ms`, `model`, `created_at`;
//!   `capability`; `data` = `{"video": {"url", "content_type", "file_name", "file_size"}}`
//!   when completed (`{"image": …}` for an image task);
//!   `error_code` (a string or a number) and `error_message` on failure.
//! - `GET /hub/v1/models?capability=video` (or `image`; every model without it):
//!   `{"object": "list", "data": [{"id", "name", "vendor", "capability", "category",
//!   "description"}]}`.
//! - `GET /hub/v1/models/{model}`: the same entry plus `input_schema` (a JSON Schema, see
//!   [`ModelSchema::to_json_schema`]) and `example` (an input that validates).
//! - `GET /__sandbox/counters`: the [`Counters`] as JSON, without a key.
//!
//! The file URL points at a second origin ([`SandboxHandle::download_url`]) that serves
//! [`SAMPLE_MP4`] (or a larger MP4, see [`SandboxBuilder::video_size`]) for videos and
//! [`SAMPLE_PNG`] for images, and refuses with 403 any request carrying `Authorization`, as a storage
//! bucket would: a client must not send the hub's key to it. Like a storage bucket, it
//! answers with `Accept-Ranges: bytes` and an `ETag`, and honours a single
//! `Range: bytes=N-` or `bytes=N-M` with `206 Partial Content` and
//! `Content-Range: bytes N-M/TOTAL` (`416` with `Content-Range: bytes */TOTAL` when `N` is
//! past the end). An `If-Range` other than the `ETag`, and other range forms, get the whole
//! file (`200`).
//!
//! Tasks take a duration drawn per task from a [`TaskDuration`] (per model if set), times
//! the time scale. Faults come from a [`FaultSpec`]; every draw (faults, durations, task
//! ids, failure codes) derives from its seed.

mod builder;
mod conn;
pub mod faults;
mod fixtures;
mod handle;
mod models;
mod server;
mod tasks;

pub use videohub::ModelSchema;

pub use builder::{Sandbox, SandboxBuilder, SubmitShape};
pub use faults::{FaultKind, FaultPoint, FaultSpec, FaultSpecError};
pub use fixtures::{CAPABILITIES, SAMPLE_MP4, SAMPLE_PNG};
pub use handle::{Counters, SandboxHandle, TaskReport};
pub use models::{ModelsError, compiled_models, load_models};
pub use tasks::TaskDuration;
