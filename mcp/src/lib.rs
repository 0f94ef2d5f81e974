//! `videohub mcp`: a [Model Context Protocol](https://modelcontextprotocol.io) server on the
//! videohub journal, so that agents generate videos with the same guarantees as the command
//! line.
//!
//! An agent calls `describe_model` for a model's parameters as JSON Schema, `generate` to
//! validate its input (a bad input is a tool error and nothing is sent), record the job in
//! the journal before its submit and wait a bounded time, then `get_job` while the job is
//! not final. Each call returns within its `wait_seconds` (50 by default, under a client's
//! usual 60 s timeout) with the job's state, and progress notifications while it waits
//! when the client asked for them. A client of the tasks extension
//! (`io.modelcontextprotocol/tasks`, protocol 2026-07-28) gets a task at once instead, whose
//! id is the job's and which `tasks/get` follows from any server process. A `request_id` makes `generate`
//! idempotent across retries and processes; a job left by a client that went away is
//! continued by the next `get_job`, from any process; a submit whose outcome is unknown is
//! reported, and sent again only once the user confirmed it (elicitation). Downloaded files
//! come back as `resource_link`s and as resources.
//!
//! Both eras of the protocol are served: sessions opened by `initialize` (up to 2025-11-25)
//! and the self-contained requests of 2026-07-28. Over HTTP, [`Access`] says who may call.
//!
//! ```no_run
//! # async fn run(runner: videohub_journal::Runner) -> std::io::Result<()> {
//! let hub = runner.client().base_url().to_string();
//! // Until the client goes (a signal handler's future would stop it sooner).
//! let never = std::future::pending();
//! videohub_mcp::Server::new(videohub_app::App::new(runner, hub))
//!     .output_dir("videos")
//!     .serve_stdio(never)
//!     .await
//! # }
//! ```

mod args;
mod confirm;
mod era;
mod handler;
mod report;
mod resources;
mod schema;
mod status;
mod tasks;
mod tools;
mod wait;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;
use videohub_app::App;
pub use videohub_app::access::{Access, Token};

use crate::handler::Handler;

pub use args::{
    DescribeModelArgs, GenerateArgs, GetJobArgs, ListModelsArgs, RetryJobArgs, SearchHistoryArgs,
};
pub use report::{HistoryEntry, HistoryReport, JobReport, ModelEntry, ModelList, ModelReport};

/// The largest request body the HTTP transport takes: a tool call's arguments (a model's
/// input with its image URLs) fit many times over.
pub const MAX_REQUEST_BODY: usize = 4 << 20;

/// How long requests still open when the HTTP server stops may take to finish their answer.
const CLOSING_GRACE: Duration = Duration::from_secs(5);

/// What the server tells an agent on connecting: the workflow.
pub const INSTRUCTIONS: &str = "videohub generates videos and images with the hub's models. \
Workflow: `list_models` to pick a model; `describe_model` for its parameters as JSON Schema \
(types, allowed values, ranges, defaults, required ones, exclusions, image counts); \
`generate` with `model` and `input` (an invalid input is a tool error naming each bad \
parameter, and nothing is paid); then, while the returned `state` is not final \
(`finished` is false), call `get_job` with the `job_id`: each call waits up to \
`wait_seconds` (default 50) and reports progress. Renders take one to ten minutes. Pass a \
`request_id` of your own to `generate` and reuse it when you retry the call: the same \
request never makes (or pays for) a second video. A job in state `outcome_unknown` may or \
may not exist at the hub and is never sent again without the user's confirmation. Finished files come back \
as a `resource_link` (a file:// URI on this machine) and in `resources/list`. \
`retry_job` sends a failed job again (one of unknown outcome only with `force`, once the \
user confirms when the server asks). A client of the tasks extension (protocol 2026-07-28) \
gets a task from `generate` and `retry_job` (its id is the job id) to follow with \
`tasks/get`. \
`search_history` lists earlier generations, newest first.";

/// The default for `wait_seconds`: under the 60 s a client usually waits for a tool call.
pub const DEFAULT_WAIT_SECONDS: f64 = 50.0;

/// The longest wait one call may ask for.
pub const MAX_WAIT_SECONDS: f64 = 300.0;

/// Where files go unless told otherwise: `videohub` in the user's videos folder
/// (`~/Videos/videohub`), else `outputs` next to the default journal, else the current
/// directory.
pub fn default_output_dir() -> PathBuf {
    let videos =
        directories::UserDirs::new().and_then(|dirs| dirs.video_dir().map(|d| d.join("videohub")));
    let beside_journal = || {
        videohub_journal::Journal::default_path()
            .and_then(|p| p.parent().map(|d| d.join("outputs")))
    };
    videos
        .or_else(beside_journal)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// An MCP server on the application (journal, client, the hub's name), and where files
/// go.
#[derive(Debug)]
pub struct Server {
    app: App,
    output_dir: PathBuf,
}

impl Server {
    /// A server running jobs through `app`. Files go to the current directory unless
    /// [`Server::output_dir`] says otherwise.
    pub fn new(app: App) -> Server {
        Server {
            app,
            output_dir: PathBuf::from("."),
        }
    }

    /// Where generated files are saved (an `output` given to `generate` is a path inside
    /// it): a folder, created when missing, or a prefix of objects (`s3://bucket/agent/`).
    pub fn output_dir(mut self, dir: impl AsRef<Path>) -> Server {
        self.output_dir = dir.as_ref().to_path_buf();
        self
    }

    /// The handler every connection shares, with the output directory made absolute and
    /// created.
    fn handler(self) -> std::io::Result<Handler> {
        let output_dir = videohub_app::destination::folder(&self.output_dir, true)
            .map_err(std::io::Error::other)?;
        Ok(Handler::new(self.app, output_dir))
    }

    /// Serves one client on standard input and output until it closes them, or `shutdown`
    /// completes (before the client's first request too). Nothing else is written to
    /// standard output. Jobs still running then are left in the journal, for the next
    /// `get_job` (or `videohub jobs resume`), as [`App::stop`](videohub_app::App::stop)
    /// says: downloads under way first finish when the runner's stop was asked for
    /// gracefully (`shutdown` may wait on [`Stop::requested`](videohub_journal::Stop)),
    /// until it is made immediate.
    ///
    /// Standard input is read by a blocking thread that nothing interrupts: after a
    /// `shutdown` while the client keeps it open, the program should not wait for that
    /// thread when its runtime ends (`Runtime::shutdown_timeout`).
    pub async fn serve_stdio(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use rmcp::service::ServerInitializeError;
        let handler = self.handler()?;
        let app = handler.app().clone();
        let closing = CancellationToken::new();
        let stopper = tokio::spawn({
            let closing = closing.clone();
            async move {
                shutdown.await;
                closing.cancel();
            }
        });
        let ended = match handler
            .serve_with_ct(rmcp::transport::stdio(), closing)
            .await
        {
            Ok(service) => service
                .waiting()
                .await
                .map(|_| ())
                .map_err(std::io::Error::other),
            // Stopped, or left by a client that sent no request (one of the 2026-07-28
            // era may only have asked `server/discover`): nothing to report.
            Err(ServerInitializeError::Cancelled | ServerInitializeError::ConnectionClosed(_)) => {
                Ok(())
            }
            Err(e) => Err(std::io::Error::other(e)),
        };
        stopper.abort();
        app.stop().await;
        ended
    }

    /// Serves the streamable-HTTP transport at `http://{addr}/mcp` to the requests `access`
    /// lets through (with bodies of at most [`MAX_REQUEST_BODY`]) until `shutdown`
    /// completes. Then no request is taken any more, the jobs it drives are left in the
    /// journal as [`App::stop`](videohub_app::App::stop) says (downloads under way finish
    /// first after a graceful stop of the runner), and open requests get a few seconds to
    /// finish. `ready` is called with the bound address once it listens.
    pub async fn serve_http(
        self,
        addr: SocketAddr,
        access: Access,
        ready: impl FnOnce(SocketAddr),
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
        use rmcp::transport::streamable_http_server::{
            StreamableHttpServerConfig, StreamableHttpService,
        };
        let handler = self.handler()?;
        let app = handler.app().clone();
        let closing = CancellationToken::new();
        // Hosts, origins, the token and body sizes are the guard's; the transport keeps
        // its own body bound, the same.
        let config = StreamableHttpServerConfig::default()
            .disable_allowed_hosts()
            .disable_allowed_origins()
            .with_max_request_body_bytes(MAX_REQUEST_BODY)
            .with_cancellation_token(closing.child_token());
        let service = StreamableHttpService::new(
            move || Ok(handler.clone()),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        let guard = access.max_body(MAX_REQUEST_BODY).shared();
        let router = axum::Router::new().nest_service("/mcp", service).layer(
            axum::middleware::from_fn_with_state(guard, videohub_app::access::guard),
        );
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        let mut served = tokio::spawn(
            axum::serve(listener, router)
                .with_graceful_shutdown(closing.clone().cancelled_owned())
                .into_future(),
        );
        tokio::select! {
            ended = &mut served => {
                app.stop().await;
                return ended.map_err(std::io::Error::other)?;
            }
            () = shutdown => {}
        }
        closing.cancel();
        app.stop().await;
        match tokio::time::timeout(CLOSING_GRACE, &mut served).await {
            Ok(ended) => ended.map_err(std::io::Error::other)?,
            Err(_) => {
                served.abort();
                Ok(())
            }
        }
    }
}
