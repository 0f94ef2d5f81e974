//! `videohub studio`: a local gallery and playground in the browser.
//!
//! [`Studio`] serves, on 127.0.0.1 only, one page built into the binary (plain HTML, CSS
//! and ES modules) and the JSON endpoints it uses, to requests naming this machine's
//! loopback and coming from no other site's page (`videohub_app::access`):
//!
//! | endpoint | what it does |
//! |---|---|
//! | `GET /` and `GET /assets/…` | the page |
//! | `GET /api/models` | the models to pick from: compiled, and the live hub's others |
//! | `GET /api/models/{id}` | one model's schema (as videohub reads it, and as JSON Schema) |
//! | `POST /api/validate` | `{model, input}` checked as `videohub generate` checks it: [`videohub::ModelSchema::validate_input`], or [`videohub::schema::LiveSchema::validate`] for a live model |
//! | `POST /api/generate` | validates, records the job in the journal and drives it in the background |
//! | `POST /api/image` | an uploaded image (raw body) as a `data:` URI |
//! | `GET /api/jobs?model=&status=&text=` | the journal's jobs, newest first, with live progress |
//! | `GET /api/jobs/{id}` | one job |
//! | `GET /api/jobs/{id}/video` | its downloaded video (or image), with HTTP Range support |
//!
//! The hub's API key stays in the [`videohub::Client`]: no endpoint returns it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use videohub_app::App;
//! use videohub_journal::{Journal, Runner};
//! use videohub_studio::Studio;
//!
//! let client = videohub::Client::from_env()?;
//! let hub = client.base_url().to_string();
//! let runner = Runner::new(Journal::open("jobs.sqlite3").await?, client);
//! let studio = Studio::new(App::new(runner, hub)).output_dir(".").start(8790).await?;
//! println!("open {}", studio.url());
//! # Ok(()) }
//! ```

mod api;
mod assets;
mod files;
#[cfg(feature = "object-store")]
mod remote;
mod view;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use videohub_app::App;

/// A studio to start: the application its jobs go through (journal, client, the hub's
/// name), and where videos are saved.
#[derive(Debug)]
pub struct Studio {
    app: App,
    output_dir: PathBuf,
}

impl Studio {
    /// A studio recording its jobs through `app`, saving videos in the current directory.
    pub fn new(app: App) -> Studio {
        Studio {
            app,
            output_dir: PathBuf::from("."),
        }
    }

    /// Saves videos in `dir` (which must exist), as `<model>-<task id>.mp4`.
    pub fn output_dir(mut self, dir: impl AsRef<Path>) -> Studio {
        self.output_dir = dir.as_ref().to_path_buf();
        self
    }

    /// Serves on `127.0.0.1:port` (`0` picks a free port) until the handle is shut down or
    /// dropped.
    pub async fn start(self, port: u16) -> std::io::Result<StudioHandle> {
        let output_dir = videohub_app::destination::folder(&self.output_dir, false)
            .and_then(|dir| videohub_app::destination::check_folder(&dir).map(|()| dir))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::NotFound, e))?;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            app: self.app,
            output_dir,
        });
        let app = api::router(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "the studio server stopped");
            }
        });
        Ok(StudioHandle {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running studio; dropping it stops the server (jobs already running go on).
#[derive(Debug)]
pub struct StudioHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl StudioHandle {
    /// The page's address, e.g. `http://127.0.0.1:8790/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving and waits for open requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for StudioHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
struct State {
    app: App,
    output_dir: PathBuf,
}
