//! The journal's database: opening it (`connect`), and its reads
//! (`read`), writes (`write`, `insert`), batches (`batch`), leases (`lease`), local files
//! (`parts`, `files`) and learned durations (`durations`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::AnyPool;

use crate::error::{Error, Result};

mod batch;
mod batch_files;
mod connect;
mod durations;
mod files;
mod fleet;
mod insert;
mod lease;
mod parts;
mod read;
mod sql;
mod write;

pub use batch::BatchCounts;
pub(crate) use batch::LINES_PER_TRANSACTION;
pub use batch_files::BatchFileSeen;
use connect::{BUSY_TIMEOUT, Location};
pub(crate) use files::remove_file;
pub use fleet::Fleet;
pub(crate) use write::Change;

/// A database result as the journal's: an error names the journal (see
/// [`Location::error`]).
trait Db<T> {
    /// The value, or the database's error as the journal's error.
    fn db(self, journal: &Journal) -> Result<T>;
}

impl<T> Db<T> for std::result::Result<T, sqlx::Error> {
    fn db(self, journal: &Journal) -> Result<T> {
        self.map_err(|e| journal.location.error(journal.busy_timeout, e))
    }
}

/// The journal: a SQLite database of every job, its states and its output.
///
/// Every write is a committed, synced transaction before the step it records goes on: a job
/// is in the journal before its submit is sent. Several processes may share one database
/// (WAL mode; a write waits up to 15 s for another to finish).
///
/// ```no_run
/// # async fn run() -> videohub_journal::Result<()> {
/// use videohub_journal::{Journal, JobFilter};
///
/// let journal = Journal::open(Journal::default_path().unwrap()).await?;
/// for job in journal.jobs(&JobFilter::default()).await? {
///     println!("{} {} {}", job.id, job.model, job.state);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Journal {
    pool: AnyPool,
    location: Location,
    busy_timeout: Duration,
}

impl Journal {
    /// Where the journal lives by default: `$XDG_DATA_HOME/videohub/journal.sqlite3`
    /// (`~/.local/share/videohub/journal.sqlite3` on Linux, the platform's data directory
    /// elsewhere); `None` when the system names no home directory.
    pub fn default_path() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "videohub")?;
        Some(dirs.data_dir().join("journal.sqlite3"))
    }

    /// Opens (or creates, with its directory) the journal at `path` and brings its schema
    /// up to date. A database written by a newer videohub is refused
    /// ([`Error::NewerSchema`]), and is not changed.
    pub async fn open(path: impl AsRef<Path>) -> Result<Journal> {
        Journal::open_with(path, BUSY_TIMEOUT).await
    }

    /// [`Journal::open`], with writes waiting at most `busy_timeout` for another process's
    /// write to end (15 s by default) before failing with [`Error::Locked`].
    pub async fn open_with(path: impl AsRef<Path>, busy_timeout: Duration) -> Result<Journal> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Storage {
                journal: path.display().to_string(),
                message: format!("cannot create its directory {}: {e}", dir.display()),
            })?;
        }
        Journal::connect_to(Location::file(path), busy_timeout).await
    }

    /// Opens the journal `store` names: a `postgres://` (or `postgresql://`) URL, where
    /// several workers on several machines may share the jobs, or else a SQLite file path.
    /// A URL needs the `postgres` feature (on by default): without it, it is refused with
    /// [`Error::Storage`].
    pub async fn open_store(store: &str) -> Result<Journal> {
        if store.starts_with("postgres://") || store.starts_with("postgresql://") {
            let location = Location::postgres(store);
            if !cfg!(feature = "postgres") {
                return Err(Error::Storage {
                    journal: location.shown,
                    message: "this build has no Postgres support (its `postgres` feature)".into(),
                });
            }
            Journal::connect_to(location, BUSY_TIMEOUT).await
        } else {
            Journal::open(store).await
        }
    }

    /// A journal in memory, gone with the process: the same steps, nothing kept (what
    /// `videohub --no-store` uses).
    pub async fn in_memory() -> Result<Journal> {
        Journal::connect_to(Location::memory(), BUSY_TIMEOUT).await
    }

    async fn connect_to(location: Location, busy_timeout: Duration) -> Result<Journal> {
        let pool = location.connect(busy_timeout).await?;
        Ok(Journal {
            pool,
            location,
            busy_timeout,
        })
    }

    /// Where the journal lives: its file, or its server's URL without the password.
    pub fn location(&self) -> &str {
        &self.location.shown
    }

    /// Closes and replaces the connection of a SQLite journal file after a failed write,
    /// so that a transaction SQLite left open (a full disk, a lock held past the busy
    /// timeout) is rolled back with it, never carried on by the next write. (A journal in
    /// memory lives in its one connection, and is kept.)
    pub(crate) async fn discard_connection(&self) {
        if self.location.database_file().is_some()
            && let Ok(conn) = self.pool.acquire().await
            && let Err(error) = conn.close().await
        {
            tracing::warn!(journal = %self.location(), %error, "could not close a connection after a failed write");
        }
    }

    /// The journal's file, for a SQLite journal on disk.
    pub(crate) fn file(&self) -> Option<PathBuf> {
        self.location.database_file()
    }

    #[cfg(test)]
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// SQLite's plan of `sql`, one line per step.
    #[cfg(test)]
    pub(crate) async fn sqlite_plan(&self, sql: &str) -> Vec<String> {
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&self.pool)
                .await
                .unwrap();
        rows.into_iter().map(|(_, _, _, step)| step).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use super::*;
    use crate::job::{JobFilter, NewJob};
    use crate::owner::Owner;
    use crate::state::JobState;

    /// A job of veo-3.1 on an unreachable hub, with `prompt` as its input.
    pub(super) fn new_job(prompt: &str) -> NewJob {
        let mut input = Map::new();
        input.insert("prompt".into(), Value::from(prompt));
        NewJob {
            hub: "http://127.0.0.1:1".into(),
            model: "veo-3.1".into(),
            endpoint: "/hub/v1/video".into(),
            input,
            output_path: "out-{task_id}.mp4".into(),
        }
    }

    /// A full disk, as SQLite sees it: the database may not grow past its page limit.
    #[tokio::test]
    async fn a_full_disk_is_named_and_writes_nothing_half() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("j.sqlite3")).await.unwrap();
        let owner = Owner::this_process();
        let first = journal.record(&new_job("first"), &owner).await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(journal.pool())
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {}",
            pages + 2
        )))
        .execute(journal.pool())
        .await
        .unwrap();
        let big = "x".repeat(16 * 1024);
        let mut recorded = 1;
        let error = loop {
            match journal.record(&new_job(&big), &owner).await {
                Ok(_) => recorded += 1,
                Err(e) => break e,
            }
            assert!(recorded < 100, "the page limit never hit");
        };
        assert!(matches!(error, Error::DiskFull { .. }), "{error}");
        assert!(error.to_string().contains("j.sqlite3"), "{error}");
        let jobs = journal.jobs(&JobFilter::default()).await.unwrap();
        assert_eq!(jobs.len(), recorded);
        let kept = journal.job(&first.id).await.unwrap();
        assert_eq!(
            (kept.state, kept.prompt()),
            (JobState::Pending, Some("first"))
        );
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_events")
            .fetch_one(journal.pool())
            .await
            .unwrap();
        assert_eq!(events as usize, recorded, "no event without its job");
    }

    #[tokio::test]
    async fn a_keyed_job_is_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite3");
        let first = Journal::open(&path).await.unwrap();
        let key = crate::request_key("http://127.0.0.1:1", "call-1");
        let (job, new) = first
            .record_keyed(&new_job("a"), &key, &Owner::this_process())
            .await
            .unwrap();
        assert!(new);
        assert!(job.owner.is_some(), "leased to its recorder");
        // Another process on the same journal, with a different input under the same key.
        let second = Journal::open(&path).await.unwrap();
        let (again, new) = second
            .record_keyed(&new_job("b"), &key, &Owner::this_process())
            .await
            .unwrap();
        assert!(!new);
        assert_eq!(
            (again.id.as_str(), again.prompt()),
            (job.id.as_str(), Some("a"))
        );
        let other = crate::request_key("http://127.0.0.1:2", "call-1");
        assert_ne!(
            other, key,
            "the same request id at another hub is another request"
        );
        let (_, new) = second
            .record_keyed(&new_job("a"), &other, &Owner::this_process())
            .await
            .unwrap();
        assert!(new);
        assert_eq!(second.jobs(&JobFilter::default()).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_journal_in_memory_keeps_its_connection_after_a_failed_write() {
        let journal = Journal::in_memory().await.unwrap();
        let job = journal
            .record(&new_job("kept"), &Owner::this_process())
            .await
            .unwrap();
        journal.discard_connection().await;
        assert_eq!(journal.job(&job.id).await.unwrap().prompt(), Some("kept"));
    }

    #[tokio::test]
    async fn ids_and_prefixes() {
        let journal = Journal::in_memory().await.unwrap();
        let owner = Owner::this_process();
        let a = journal.record(&new_job("a"), &owner).await.unwrap();
        assert_eq!(journal.job(&a.id).await.unwrap().id, a.id);
        assert_eq!(journal.job(&a.id[..14]).await.unwrap().id, a.id);
        assert!(matches!(
            journal.job("zz").await,
            Err(Error::NoSuchJob { .. })
        ));
        let _b = journal.record(&new_job("b"), &owner).await.unwrap();
        assert!(matches!(
            journal.job("").await,
            Err(Error::AmbiguousJob { count: 2, .. })
        ));
        assert!(matches!(
            journal.job("%").await,
            Err(Error::NoSuchJob { .. })
        ));
        let found = journal
            .jobs(&JobFilter {
                text: Some("A".into()),
                ..JobFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, a.id);
    }

    #[tokio::test]
    async fn a_stored_value_that_does_not_read_is_an_error_naming_its_job_and_column() {
        let journal = Journal::in_memory().await.unwrap();
        let new = new_job("a fox");
        let job = journal.record(&new, &Owner::this_process()).await.unwrap();
        let good = "input = '{}', state = 'pending', result = NULL, file_size = NULL, \
                    task_elapsed_ms = NULL, submits = 0";
        for (damage, column) in [
            ("state = 'lost'", "state"),
            ("input = '{not json'", "input"),
            ("input = '[1]'", "input"),
            ("result = 'not json'", "result"),
            ("file_size = -1", "file_size"),
            ("task_elapsed_ms = -5", "task_elapsed_ms"),
            ("submits = -1", "submits"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE jobs SET {good}")))
                .execute(journal.pool())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE jobs SET {damage}")))
                .execute(journal.pool())
                .await
                .unwrap();
            for error in [
                journal.job(&job.id).await.unwrap_err(),
                journal.jobs(&JobFilter::default()).await.unwrap_err(),
            ] {
                assert!(
                    matches!(&error, Error::BadColumn { id, column: c, .. } if *id == job.id && c == column),
                    "{damage}: {error}"
                );
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE jobs SET {good}")))
            .execute(journal.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE job_events SET state = 'lost'")
            .execute(journal.pool())
            .await
            .unwrap();
        let error = journal.events(&job.id).await.unwrap_err();
        assert!(
            matches!(&error, Error::BadColumn { column, .. } if column == "job_events.state"),
            "{error}"
        );
    }
}
