//! The application the videohub front-ends share: the command line, the studio and the
//! MCP server each take their requests their own way, then call this crate for what a
//! generation means, so that each capability is written once.
//!
//! | module | what it holds |
//! |---|---|
//! | [`catalog`] | the models to choose from: compiled, provisional and the live hub's, one list |
//! | [`model`] | a model id resolved to what checks its inputs, or an unknown id with its suggestion |
//! | [`destination`] | where files go: the default name, names confined to a folder, folders checked before a submit |
//! | [`start`] | a generation started on the journal: checked, recorded before its submit, once per request id |
//! | [`drives`] | the jobs a long-running front-end drives in the background, and how far each got |
//! | [`history`] | the journal's jobs that match a query |
//! | `access` | who may reach a front-end served over HTTP: host, origin, token, body size (feature `http`) |
//!
//! Messages are neutral: they name models, parameters, files and jobs, never a command of
//! one front-end; each front-end adds how its own user goes on.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use videohub_app::{App, Generation, destination};
//! use videohub_journal::{Journal, Runner};
//!
//! let client = videohub::Client::from_env()?;
//! let hub = client.base_url().to_string();
//! let app = App::new(Runner::new(Journal::open("jobs.sqlite3").await?, client), hub);
//! let model = app.resolve("veo-3.1").await?;
//! let input = serde_json::json!({"prompt": "a red fox in snow"});
//! let job = app
//!     .start(Generation {
//!         model: &model,
//!         input: input.as_object().cloned().unwrap_or_default(),
//!         output: destination::default_in("videos".as_ref()),
//!         request_id: None,
//!     })
//!     .await?;
//! app.follow(&job); // driven in the background; `app.drives().last(&job.id)` says how far
//! # Ok(()) }
//! ```

#[cfg(feature = "http")]
pub mod access;
pub mod catalog;
pub mod destination;
pub mod drives;
pub mod history;
pub mod model;
pub mod start;

use std::sync::Arc;

use videohub::Client;
use videohub_journal::{Job, Journal, Runner};

pub use catalog::{Availability, Catalog, Entry};
pub use destination::DestinationError;
pub use drives::{Drives, Follow, Live};
pub use history::HistoryQuery;
pub use model::{Model, ResolveError};
pub use start::{Generation, StartError};

/// A front-end's application: the runner its jobs go through (journal and client), the
/// hub's name in the journal, and the jobs it drives. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    drives: Arc<Drives>,
}

impl App {
    /// An application recording its jobs through `runner` under the hub name `hub` (the
    /// hub's base URL, never its key).
    pub fn new(runner: Runner, hub: impl Into<String>) -> App {
        App {
            drives: Arc::new(Drives::new(runner, hub.into(), false)),
        }
    }

    /// Says whether the hub lives in this process (an in-process sandbox) and ends with
    /// it: jobs of that hub recorded by other processes are reported, never continued.
    pub fn hub_in_process(self, in_process: bool) -> App {
        let drives = Drives::new(
            self.drives.runner().clone(),
            self.drives.hub().to_owned(),
            in_process,
        );
        App {
            drives: Arc::new(drives),
        }
    }

    /// The runner jobs go through.
    pub fn runner(&self) -> &Runner {
        self.drives.runner()
    }

    /// The hub's client.
    pub fn client(&self) -> &Client {
        self.drives.runner().client()
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        self.drives.runner().journal()
    }

    /// The hub's name in the journal.
    pub fn hub(&self) -> &str {
        self.drives.hub()
    }

    /// The jobs this process drives.
    pub fn drives(&self) -> &Arc<Drives> {
        &self.drives
    }

    /// The compiled models and the live hub's others ([`Catalog::read`]).
    pub async fn catalog(&self) -> Catalog {
        Catalog::read(self.client()).await
    }

    /// Model `id`, compiled or the live hub's ([`model::resolve`]).
    pub async fn resolve(&self, id: &str) -> Result<Model, ResolveError> {
        model::resolve(self.client(), id).await
    }

    /// Checks the input and records the job, before anything is sent
    /// ([`Generation`]); the job is then this process's to drive.
    pub async fn start(&self, generation: Generation<'_>) -> Result<Job, StartError> {
        let job = start::start(self.runner(), self.hub(), generation).await?;
        self.drives.adopt(&job.id);
        Ok(job)
    }

    /// Drives `job` in the background, or follows the task of this process that already
    /// does ([`Drives::follow`]).
    pub fn follow(&self, job: &Job) -> Follow {
        self.drives.follow(job)
    }

    /// The journal's jobs that match `query`, newest first (at most `default_limit`
    /// unless the query says, never more than `max_limit`).
    pub async fn history(
        &self,
        query: &HistoryQuery,
        default_limit: u32,
        max_limit: u32,
    ) -> Result<Vec<Job>, HistoryError> {
        let filter = query.filter(default_limit, max_limit)?;
        Ok(self.journal().jobs(&filter).await?)
    }

    /// Stops the drives of this process and gives their jobs up for another process to
    /// continue: downloads under way first finish when the runner's stop was asked for
    /// gracefully, until it is made immediate ([`Drives::stop`]).
    pub async fn stop(&self) {
        self.drives.stop().await;
    }
}

/// Why a history query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The query names a state that does not exist.
    #[error(transparent)]
    State(#[from] videohub_journal::UnknownState),
    /// The journal could not be read.
    #[error("cannot read the journal: {0}")]
    Journal(#[from] videohub_journal::Error),
}
