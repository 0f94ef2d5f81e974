//! Configuring a sandbox: [`Sandbox::builder`], the [`SandboxBuilder`] and its options.

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use videohub::ModelSchema;

use crate::faults::FaultSpec;
use crate::handle::SandboxHandle;
use crate::tasks::TaskDuration;

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
    pub(crate) models: Option<Vec<ModelSchema>>,
    pub(crate) input_schemas: HashMap<String, serde_json::Value>,
    pub(crate) api_key: Option<String>,
    pub(crate) submit_shape: SubmitShape,
    pub(crate) faults: FaultSpec,
    pub(crate) time_scale: f64,
    pub(crate) durations: TaskDuration,
    pub(crate) model_durations: HashMap<String, TaskDuration>,
    pub(crate) max_tasks: usize,
    pub(crate) retention: Duration,
    pub(crate) video_size: u64,
    pub(crate) bind: SocketAddr,
    pub(crate) download_bind: Option<SocketAddr>,
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
    /// The models served, instead of the compiled ones (e.g. from [`load_models`](crate::load_models), or
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

    /// The size in bytes of every video served (for download measurements):
    /// [`SAMPLE_MP4`](crate::SAMPLE_MP4) followed by a top-level MP4 `free` box of zeros,
    /// which players skip, so the file stays a playable MP4. Streamed from one static buffer: a 1 GB video costs the
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
        SandboxHandle::start(self).await
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
