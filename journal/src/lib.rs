//! A durable journal of videohub jobs, so that no paid video is lost or paid twice.
//!
//! Every job is written to a SQLite database *before* its submit is sent, and every step
//! after is recorded before the next begins: `pending → submitting → submitted →
//! completed → downloaded`, or `failed`, `timeout`, `cancelled`, or `outcome_unknown` when
//! a submit may or may not have created a task. A process killed at any point leaves a
//! job that [`Runner::resume`] finishes: a job never sent is sent, a submitted task is
//! polled, a finished one downloaded. A job whose submit may have gone out is never sent
//! again without an explicit [`Journal::retry`] with `force`.
//!
//! The journal also keeps how long each model's tasks took, so that a new process polls
//! on the learned schedule from its first task ([`Journal::task_durations`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use videohub::Client;
//! use videohub_journal::{Journal, NewJob, Runner};
//!
//! let journal = Journal::open("jobs.sqlite3").await?;
//! let client = Client::from_env()?;
//! let hub = client.base_url().to_string();
//! client.remember_task_durations(&journal.task_durations(&hub).await?);
//! let runner = Runner::new(journal, client);
//! let veo = videohub::models::find("veo-3.1").expect("compiled in");
//! let input = serde_json::json!({"prompt": "a red fox in snow"});
//! let input = input.as_object().cloned().unwrap_or_default();
//! let job = runner
//!     .run(NewJob::new(hub, veo, input, "fox-{task_id}.{ext}"), |_step| {})
//!     .await?;
//! println!("{} saved at {:?}", job.id, job.file_path);
//! # Ok(()) }
//! ```

mod batch;
mod batch_lines;
mod batch_record;
mod error;
mod hub_limit;
mod job;
mod kept;
mod notice;
mod objects;
mod owner;
mod request;
mod run;
mod save;
mod spool;
mod state;
mod stop;
mod store;
mod time;
mod trace;

pub use batch::{BatchRun, LineEnd, batch_id, line_keys, request_key};
pub use batch_lines::{BatchKeys, BatchLines, LineDigest};
pub use error::{Error, Result};
pub use job::{Job, JobEvent, JobFilter, NewJob, render_output};
pub use notice::Notice;
pub use owner::{LEASE, Owner};
pub use run::{DOWNLOADS_AT_ONCE, Runner, Step};
pub use state::{JobState, UnknownState};
pub use stop::Stop;
pub use store::{BatchCounts, BatchFileSeen, Fleet, Journal};
pub use trace::JobTrace;
