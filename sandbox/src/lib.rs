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

mod conn;
pub mod faults;
mod server;
mod tasks;

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use videohub::Capability;
pub use videohub::ModelSchema;

pub use faults::{FaultKind, FaultPoint, FaultSpec, FaultSpecError};
pub use tasks::TaskDuration;

use server::Shared;

/// The video every completed video task points at: 2 s of a test pattern with a tone,
/// 160×90, H.264 and AAC in an MP4 container.
pub const SAMPLE_MP4: &[u8] = include_bytes!("../fixtures/sample.mp4");

/// The image every completed image task points at: colour bars over a grey ramp, 160×90,
/// an RGB PNG.
pub const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/sample.png");

/// The capabilities the sandbox serves, each at its own submit endpoint: those whose
/// output it has a sample file of.
pub const CAPABILITIES: [Capability; 2] = [Capability::Video, Capability::Image];

/// The shape of the answer to a submit; the hub documents both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubmitShape {
    /// `{"taskId": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"}`.
    #[default]
    TaskId,
    /// `{"task_id": "hub-…", "status": "pending", "capability": "video", "model", "vendor",
    /// "mode", "created_at"}`.
    Full,
}

impl SubmitShape {
    /// The name [`FromStr`] reads: `taskId` or `task_id`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SubmitShape::TaskId => "taskId",
            SubmitShape::Full => "task_id",
        }
    }
}

impl fmt::Display for SubmitShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `taskId` (or `short`) and `task_id` (or `full`).
impl FromStr for SubmitShape {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "taskId" | "short" => Ok(SubmitShape::TaskId),
            "task_id" | "full" => Ok(SubmitShape::Full),
            other => Err(format!(
                "unknown submit shape `{other}`: expected taskId or task_id"
            )),
        }
    }
}

/// What the sandbox has received so far; also served at `GET /__sandbox/counters`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Submits received (`POST /hub/v1/video` or `/hub/v1/image`), whatever became of them.
    pub submits_received: u64,
    /// Tasks created by submits.
    pub tasks_created: u64,
    /// `GET /hub/v1/tasks/{id}` requests received.
    pub polls: u64,
    /// Requests to the file origin without `Authorization`.
    pub downloads: u64,
    /// API requests with a missing or wrong key (answered 401).
    pub unauthorized: u64,
    /// Requests to the file origin that carried `Authorization` (answered 403).
    pub authorized_downloads: u64,
    /// Downloads answered with a byte range (`206 Partial Content`), a subset of
    /// `downloads`.
    #[serde(default)]
    pub ranged_downloads: u64,
    /// Faults injected (including task outcomes and slow answers).
    pub faults_injected: u64,
    /// Tasks created from a body byte for byte equal to an earlier task's: a submit the
    /// client sent twice (or two identical requests).
    #[serde(default)]
    pub duplicate_tasks: u64,
}

/// What the sandbox knows of one task, for measurements ([`SandboxHandle::task_report`]).
/// Times are real: divide by the time scale for the hub's seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskReport {
    /// The model id.
    pub model: String,
    /// How long the task runs before it is ready, time scale applied.
    pub duration: Duration,
    /// `GET /hub/v1/tasks/{id}` requests received for it.
    pub polls: u32,
    /// How long after the task became ready the first poll that found it ready arrived;
    /// `None` until one has.
    pub seen_ready_after: Option<Duration>,
}

/// The error of reading a model list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelsError {
    /// The text is not JSON.
    #[error("the model list is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Neither a list nor an object with a `models` list.
    #[error("the model list is neither a JSON array nor an object with a `models` array")]
    NoList,
    /// One entry is not a model schema.
    #[error("model #{index} ({id}) cannot be read: {source}")]
    Entry {
        /// Its position in the list, from 0.
        index: usize,
        /// Its `id`, or `?`.
        id: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// Reads a list of model schemas in the hub's model-list layout: a JSON array, or an
/// object with a `models` array (like `tests/fixtures/models.json`). Fields a
/// [`ModelSchema`] does not have are ignored.
pub fn load_models(json: &str) -> Result<Vec<ModelSchema>, ModelsError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    let list = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(map) => map
            .get("models")
            .and_then(|m| m.as_array())
            .ok_or(ModelsError::NoList)?,
        _ => return Err(ModelsError::NoList),
    };
    list.iter()
        .enumerate()
        .map(|(index, entry)| {
            serde_json::from_value(entry.clone()).map_err(|source| ModelsError::Entry {
                index,
                id: entry
                    .get("id")
                    .and_then(|i| i.as_str())
                    .unwrap_or("?")
                    .to_owned(),
                source,
            })
        })
        .collect()
}

/// Every model compiled into the `videohub` crate, the sandbox's default.
pub fn compiled_models() -> Vec<ModelSchema> {
    videohub::models::catalog()
        .iter()
        .map(|m| (*m).clone())
        .collect()
}

/// The entry point: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: the compiled models, any key, no faults, time scale 1,
    /// log-normal durations around 60 s, `taskId` answers, at most 1000 tasks, both origins
    /// on ephemeral ports of 127.0.0.1.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Configures and starts a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    models: Option<Vec<ModelSchema>>,
    input_schemas: HashMap<String, serde_json::Value>,
    api_key: Option<String>,
    submit_shape: SubmitShape,
    faults: FaultSpec,
    time_scale: f64,
    durations: TaskDuration,
    model_durations: HashMap<String, TaskDuration>,
    max_tasks: usize,
    retention: Duration,
    video_size: u64,
    bind: SocketAddr,
    download_bind: Option<SocketAddr>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            models: None,
            input_schemas: HashMap::new(),
            api_key: None,
            submit_shape: SubmitShape::default(),
            faults: FaultSpec::none(),
            time_scale: 1.0,
            durations: TaskDuration::default(),
            model_durations: HashMap::new(),
            max_tasks: 1000,
            retention: Duration::from_secs(600),
            video_size: 0,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            download_bind: None,
        }
    }
}

impl SandboxBuilder {
    /// The models served, instead of the compiled ones (e.g. from [`load_models`], or
    /// models the `videohub` crate does not compile).
    pub fn models(mut self, models: impl IntoIterator<Item = ModelSchema>) -> Self {
        self.models = Some(models.into_iter().collect());
        self
    }

    /// Serves `schema` as the `input_schema` of model `id` (one of the models served),
    /// instead of the JSON Schema written from its [`ModelSchema`]: a schema as a gateway
    /// publishes it, with `$ref`, `anyOf`, `nullable` and the like. Submits are still
    /// checked against the model's `ModelSchema`.
    pub fn input_schema(mut self, id: impl Into<String>, schema: serde_json::Value) -> Self {
        self.input_schemas.insert(id.into(), schema);
        self
    }

    /// The only key accepted; by default any non-empty key is.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The shape of submit answers.
    pub fn submit_shape(mut self, shape: SubmitShape) -> Self {
        self.submit_shape = shape;
        self
    }

    /// The faults to inject.
    pub fn faults(mut self, faults: FaultSpec) -> Self {
        self.faults = faults;
        self
    }

    /// A factor on every task duration: `0.002` turns a minute into 120 ms. Negative or
    /// non-finite values count as 0 (tasks finish at once).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = if scale.is_finite() {
            scale.max(0.0)
        } else {
            0.0
        };
        self
    }

    /// The distribution of task durations, for models without one of their own.
    pub fn durations(mut self, durations: TaskDuration) -> Self {
        self.durations = durations;
        self
    }

    /// The distribution of one model's task durations.
    pub fn model_durations(mut self, model: impl Into<String>, durations: TaskDuration) -> Self {
        self.model_durations.insert(model.into(), durations);
        self
    }

    /// The most tasks held at once (at least 1); a submit beyond it gets 429. Finished
    /// tasks make room once they are older than the retention time.
    pub fn max_tasks(mut self, max: usize) -> Self {
        self.max_tasks = max.max(1);
        self
    }

    /// How long a finished task stays readable (and its video downloadable) when its
    /// place is needed; 10 minutes of simulated time by default, scaled like the tasks by
    /// [`time_scale`](Self::time_scale) (at `0.001`, 600 ms).
    pub fn task_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The size in bytes of every video served (for download measurements): [`SAMPLE_MP4`]
    /// followed by a top-level MP4 `free` box of zeros, which players skip, so the file
    /// stays a playable MP4. Streamed from one static buffer: a 1 GB video costs the
    /// sandbox no memory. Sizes up to the fixture's serve the fixture alone (the default).
    pub fn video_size(mut self, bytes: u64) -> Self {
        self.video_size = bytes;
        self
    }

    /// The address of the API origin; `127.0.0.1:0` (an ephemeral port) by default.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The address of the file origin; by default the API's IP on an ephemeral port.
    pub fn download_bind(mut self, addr: SocketAddr) -> Self {
        self.download_bind = Some(addr);
        self
    }

    /// Binds both origins and serves them in the background of the current Tokio runtime.
    pub async fn start(self) -> std::io::Result<SandboxHandle> {
        let api_listener = TcpListener::bind(self.bind).await?;
        let api_addr = api_listener.local_addr()?;
        let files_bind = self
            .download_bind
            .unwrap_or(SocketAddr::new(api_addr.ip(), 0));
        let files_listener = TcpListener::bind(files_bind).await?;
        let files_addr = files_listener.local_addr()?;
        let files_url = base_url(files_addr);
        let shared = Arc::new(Shared::new(self, files_url.clone()));
        let (stop, stopped) = watch::channel(false);
        let servers = vec![
            conn::spawn(api_listener, server::api(shared.clone()), stopped.clone()),
            conn::spawn(files_listener, server::files(shared.clone()), stopped),
        ];
        Ok(SandboxHandle {
            url: base_url(api_addr),
            files_url,
            api_addr,
            files_addr,
            shared,
            stop,
            servers,
        })
    }

    /// Serves the API on `addr` and the files on the next port (unless
    /// [`download_bind`](Self::download_bind) says otherwise) until `shutdown` completes,
    /// then stops both origins and waits for them; for a fixed port, as
    /// `videohub sandbox --port 8787` does. `ready` is called once both origins listen, e.g.
    /// to print their URLs. Returns what `shutdown` completed with.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use videohub_sandbox::Sandbox;
    ///
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// Sandbox::builder()
    ///     .serve(
    ///         "127.0.0.1:8787".parse().unwrap(),
    ///         |hub| println!("sandbox hub on {}", hub.url()),
    ///         stopped, // or `tokio::signal::ctrl_c()`
    ///     )
    ///     .await?
    ///     .ok();
    /// # Ok(())
    /// # }
    /// ```
    pub async fn serve<T>(
        mut self,
        addr: SocketAddr,
        ready: impl FnOnce(&SandboxHandle),
        shutdown: impl std::future::Future<Output = T>,
    ) -> std::io::Result<T> {
        self.bind = addr;
        if self.download_bind.is_none() && addr.port() != 0 {
            let port = addr.port().checked_add(1).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "no port after 65535 for the file origin",
                )
            })?;
            self.download_bind = Some(SocketAddr::new(addr.ip(), port));
        }
        let handle = self.start().await?;
        ready(&handle);
        let outcome = shutdown.await;
        handle.shutdown().await;
        Ok(outcome)
    }
}

/// `http://ip:port`, with a loopback IP for an unspecified one.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// A running sandbox. Dropping it stops the servers; [`SandboxHandle::shutdown`] also
/// waits for them.
#[derive(Debug)]
pub struct SandboxHandle {
    url: String,
    files_url: String,
    api_addr: SocketAddr,
    files_addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The API's base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The file origin's base URL, where finished videos and images are served.
    pub fn download_url(&self) -> &str {
        &self.files_url
    }

    /// The API's socket address.
    pub fn addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// The file origin's socket address.
    pub fn download_addr(&self) -> SocketAddr {
        self.files_addr
    }

    /// The counters now.
    pub fn counters(&self) -> Counters {
        self.shared.counters.snapshot()
    }

    /// What the sandbox knows of task `id`, while it holds it.
    pub fn task_report(&self, id: &str) -> Option<TaskReport> {
        let tasks = self.shared.tasks();
        let task = tasks.get(id)?;
        Some(TaskReport {
            model: task.model.clone(),
            duration: task.duration,
            polls: task.polls,
            seen_ready_after: task.seen_finished_after,
        })
    }

    /// The size of every video served, in bytes.
    pub fn video_size(&self) -> u64 {
        self.shared.video_size
    }

    /// The models served.
    pub fn models(&self) -> &[ModelSchema] {
        &self.shared.models
    }

    /// Stops accepting connections, closes the open ones, and waits for the servers.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in std::mem::take(&mut self.servers) {
            let _ = server.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
