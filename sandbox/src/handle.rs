//! A running sandbox: the [`SandboxHandle`] that binds and stops its two origins, and what
//! it reports ([`Counters`], [`TaskReport`]).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use videohub::ModelSchema;

use crate::builder::SandboxBuilder;
use crate::conn;
use crate::server::{self, Shared};

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
    /// Binds both origins of `builder` and serves them in the background of the current Tokio
    /// runtime.
    pub(crate) async fn start(builder: SandboxBuilder) -> std::io::Result<SandboxHandle> {
        let api_listener = TcpListener::bind(builder.bind).await?;
        let api_addr = api_listener.local_addr()?;
        let files_bind = builder
            .download_bind
            .unwrap_or(SocketAddr::new(api_addr.ip(), 0));
        let files_listener = TcpListener::bind(files_bind).await?;
        let files_addr = files_listener.local_addr()?;
        let files_url = base_url(files_addr);
        let shared = Arc::new(Shared::new(builder, files_url.clone()));
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
