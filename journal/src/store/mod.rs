//! The journal's database: opening it, its schema, and every read and write of jobs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Row};
use videohub::TaskDurations;

use crate::error::{Error, Result};
use crate::job::{Job, JobEvent, JobFilter, NewJob};
use crate::owner::{self, LEASE, Owner};
use crate::state::JobState;
use crate::time::{from_ms, now_ms};

mod connect;

use connect::{BUSY_TIMEOUT, Location};

/// Durations kept per model when loading them: the poller fits the last 32.
const DURATIONS_PER_MODEL: i64 = 32;

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
    pub async fn open_store(store: &str) -> Result<Journal> {
        if store.starts_with("postgres://") || store.starts_with("postgresql://") {
            Journal::connect_to(Location::postgres(store), BUSY_TIMEOUT).await
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

    fn error(&self, error: sqlx::Error) -> Error {
        self.location.error(self.busy_timeout, error)
    }

    /// Records a new job as [`JobState::Pending`], leased to `owner`, and returns it.
    pub async fn record(&self, new: &NewJob, owner: &Owner) -> Result<Job> {
        let now = now_ms();
        let input = Value::Object(new.input.clone()).to_string();
        let output = path_text(&new.output_path);
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        let id = loop {
            let id = new_job_id();
            let inserted = sqlx::query(
                "INSERT INTO jobs (id, hub, model, endpoint, input, output_path, state, owner, \
                 lease_until, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $9) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&id)
            .bind(&new.hub)
            .bind(&new.model)
            .bind(&new.endpoint)
            .bind(&input)
            .bind(&output)
            .bind(owner.as_str())
            .bind(now + lease_ms())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
            if inserted.rows_affected() == 1 {
                break id;
            }
        };
        event(&mut tx, &id, JobState::Pending, Some("recorded"))
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        self.job(&id).await
    }

    /// Records the jobs of a batch as [`JobState::Pending`], unleased, each under its line
    /// key (see [`line_keys`](crate::line_keys)): a job whose key is already in the journal
    /// (a batch run again) is not recorded twice. Returns how many were new.
    pub async fn record_batch(
        &self,
        batch: &str,
        jobs: &[NewJob],
        keys: &[String],
    ) -> Result<usize> {
        let now = now_ms();
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        let mut recorded = 0;
        for (new, key) in jobs.iter().zip(keys) {
            let id = new_job_id();
            let inserted = sqlx::query(
                "INSERT INTO jobs (id, hub, model, endpoint, input, output_path, state, batch, \
                 line_key, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $9) \
                 ON CONFLICT (line_key) DO NOTHING",
            )
            .bind(&id)
            .bind(&new.hub)
            .bind(&new.model)
            .bind(&new.endpoint)
            .bind(Value::Object(new.input.clone()).to_string())
            .bind(path_text(&new.output_path))
            .bind(batch)
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
            if inserted.rows_affected() == 1 {
                event(
                    &mut tx,
                    &id,
                    JobState::Pending,
                    Some(&format!("recorded in batch {batch}")),
                )
                .await
                .map_err(|e| self.error(e))?;
                recorded += 1;
            }
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(recorded)
    }

    /// The jobs with these line keys, oldest first.
    pub async fn batch_jobs(&self, keys: &[String]) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT * FROM jobs WHERE line_key IN {} ORDER BY created_at, id",
            key_list(keys)
        );
        self.fetch_jobs(sqlx::query(&sql)).await
    }

    /// Takes the lease of the oldest unfinished job among `keys` that nobody holds (and
    /// that is not in `skip`), for `owner`; `None` when there is none. Among several
    /// workers on Postgres each job goes to exactly one (`FOR UPDATE SKIP LOCKED`).
    pub async fn claim_next(
        &self,
        keys: &[String],
        skip: &[String],
        owner: &Owner,
    ) -> Result<Option<Job>> {
        self.release_gone_owners(keys).await?;
        let now = now_ms();
        let sql = format!(
            "UPDATE jobs SET owner = $1, lease_until = $2 WHERE id = ( \
               SELECT id FROM jobs WHERE line_key IN {keys} AND id NOT IN {skip} \
               AND state IN {unfinished} AND (owner IS NULL OR lease_until < $3) \
               ORDER BY created_at, id LIMIT 1 {lock}) \
             RETURNING id",
            keys = key_list(keys),
            skip = key_list(skip),
            unfinished = state_list(&JobState::UNFINISHED),
            lock = self.location.row_lock(),
        );
        let id: Option<String> = sqlx::query_scalar(&sql)
            .bind(owner.as_str())
            .bind(now + lease_ms())
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        match id {
            Some(id) => Ok(Some(self.job(&id).await?)),
            None => Ok(None),
        }
    }

    /// Lets go of the jobs among `keys` held by processes of this host that are gone.
    async fn release_gone_owners(&self, keys: &[String]) -> Result<()> {
        let sql = format!(
            "SELECT DISTINCT owner FROM jobs WHERE line_key IN {} AND owner IS NOT NULL",
            key_list(keys)
        );
        let owners: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        for gone in owners.iter().filter(|o| owner::is_gone(o)) {
            sqlx::query("UPDATE jobs SET owner = NULL, lease_until = NULL WHERE owner = $1")
                .bind(gone)
                .execute(&self.pool)
                .await
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// The job with this id, or with this unique id prefix.
    pub async fn job(&self, id: &str) -> Result<Job> {
        let escaped = like_escaped(id);
        let rows = sqlx::query(
            "SELECT * FROM jobs WHERE id = $1 OR id LIKE $2 ESCAPE '\\' ORDER BY id = $1 DESC LIMIT 2",
        )
        .bind(id)
        .bind(format!("{escaped}%"))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        match rows.as_slice() {
            [] => Err(Error::NoSuchJob { id: id.to_owned() }),
            [one] => read_job(self.location(), one),
            [first, _] if first.get::<String, _>("id") == id => read_job(self.location(), first),
            _ => {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE $1 ESCAPE '\\'")
                        .bind(format!("{escaped}%"))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(|e| self.error(e))?;
                Err(Error::AmbiguousJob {
                    prefix: id.to_owned(),
                    count: usize::try_from(count).unwrap_or(usize::MAX),
                })
            }
        }
    }

    /// The jobs that match `filter`, newest first.
    pub async fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        let states = if filter.states.is_empty() {
            "TRUE".to_owned()
        } else {
            format!("state IN {}", state_list(&filter.states))
        };
        let sql = format!(
            "SELECT * FROM jobs WHERE {states} \
             AND ($1 IS NULL OR model = $1) \
             AND ($2 IS NULL OR lower(input) LIKE '%' || lower($2) || '%' ESCAPE '\\') \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let query = sqlx::query(&sql)
            .bind(filter.model.as_deref())
            .bind(filter.text.as_deref().map(|t| like_escaped(&json_text(t))))
            .bind(filter.limit.map_or(i64::MAX, i64::from));
        self.fetch_jobs(query).await
    }

    /// The jobs a query selects, in its order.
    async fn fetch_jobs<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    ) -> Result<Vec<Job>> {
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| read_job(self.location(), row))
            .collect()
    }

    /// The changes of a job's state, oldest first.
    pub async fn events(&self, id: &str) -> Result<Vec<JobEvent>> {
        let rows =
            sqlx::query("SELECT at, state, detail FROM job_events WHERE job_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                Ok(JobEvent {
                    at: from_ms(row.get("at")),
                    state: parse_state(self.location(), row.get("state"))?,
                    detail: row.get("detail"),
                })
            })
            .collect()
    }

    /// Takes the lease of job `id` for `owner`, when nobody else holds it: no owner, an
    /// expired lease, or an owner whose process is gone. `false` when another process holds
    /// it.
    pub async fn claim(&self, id: &str, owner: &Owner) -> Result<bool> {
        let job = self.job(id).await?;
        let gone_owner = job.owner.as_deref().filter(|o| owner::is_gone(o));
        let now = now_ms();
        let claimed = sqlx::query(
            "UPDATE jobs SET owner = $1, lease_until = $2 WHERE id = $3 \
             AND (owner IS NULL OR owner = $1 OR lease_until < $4 OR owner = $5)",
        )
        .bind(owner.as_str())
        .bind(now + lease_ms())
        .bind(&job.id)
        .bind(now)
        .bind(gone_owner)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Extends `owner`'s lease of job `id`.
    pub async fn renew(&self, id: &str, owner: &Owner) -> Result<()> {
        sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND owner = $3")
            .bind(now_ms() + lease_ms())
            .bind(id)
            .bind(owner.as_str())
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Gives up `owner`'s lease of job `id`, so another process may take it at once.
    pub async fn release(&self, id: &str, owner: &Owner) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2",
        )
        .bind(id)
        .bind(owner.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Moves job `id` from one of `from` to `change.state`, recording the change; fails
    /// with [`Error::WrongState`] when the job is not in one of `from` (e.g. another process
    /// moved it on), changing nothing.
    pub(crate) async fn transition(
        &self,
        id: &str,
        from: &[JobState],
        change: Change,
    ) -> Result<Job> {
        let sql = format!(
            "UPDATE jobs SET state = $1, task_id = COALESCE($2, task_id), \
             result = COALESCE($3, result), error = $4, file_path = COALESCE($5, file_path), \
             file_size = COALESCE($6, file_size), sha256 = COALESCE($7, sha256), \
             task_elapsed_ms = COALESCE($8, task_elapsed_ms), submits = submits + $9, \
             updated_at = $10 WHERE id = $11 AND state IN {}",
            state_list(from)
        );
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        let updated = sqlx::query(&sql)
            .bind(change.state.as_str())
            .bind(change.task_id.as_deref())
            .bind(change.result.as_ref().map(Value::to_string))
            .bind(change.error.as_deref())
            .bind(change.file_path.as_deref().map(path_text))
            .bind(
                change
                    .file_size
                    .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            )
            .bind(change.sha256.as_deref())
            .bind(
                change
                    .task_elapsed
                    .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            )
            .bind(i64::from(change.submitted))
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        if updated.rows_affected() == 0 {
            drop(tx);
            let job = self.job(id).await?;
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason: format!("it cannot become {} from there", change.state),
            });
        }
        let detail = change.detail.or(change.error);
        event(&mut tx, id, change.state, detail.as_deref())
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        self.job(id).await
    }

    /// Records an error on a job without changing its state (e.g. a download that will be
    /// tried again).
    pub(crate) async fn note(&self, id: &str, error: &str) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        let state: String = sqlx::query_scalar(
            "UPDATE jobs SET error = $1, updated_at = $2 WHERE id = $3 RETURNING state",
        )
        .bind(error)
        .bind(now_ms())
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        event(
            &mut tx,
            id,
            parse_state(self.location(), state)?,
            Some(error),
        )
        .await
        .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Makes a finished job [`JobState::Pending`] again, to be submitted anew by the next
    /// run or resume. A job whose outcome is unknown needs `force` (its first submit may
    /// have created a task, billed if it completes); a job still in progress or downloaded
    /// cannot be retried.
    pub async fn retry(&self, id: &str, force: bool) -> Result<Job> {
        let job = self.job(id).await?;
        let allowed = match job.state {
            JobState::Failed | JobState::Timeout | JobState::Cancelled => true,
            JobState::OutcomeUnknown => force,
            _ => false,
        };
        if !allowed {
            let reason = match job.state {
                JobState::OutcomeUnknown => "its first submit may have created a task that is billed if it completes; check the hub, then retry with --force".to_owned(),
                JobState::Downloaded => "its output is already saved".to_owned(),
                _ => "it is not finished: `videohub jobs resume` finishes it".to_owned(),
            };
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason,
            });
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'pending', task_id = NULL, result = NULL, error = NULL, \
             task_elapsed_ms = NULL, owner = NULL, lease_until = NULL, updated_at = $1 \
             WHERE id = $2 AND state = $3",
        )
        .bind(now_ms())
        .bind(&job.id)
        .bind(job.state.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        if updated.rows_affected() == 1 {
            let detail = format!(
                "retry after {} (task {})",
                job.state,
                job.task_id.as_deref().unwrap_or("none")
            );
            event(&mut tx, &job.id, JobState::Pending, Some(&detail))
                .await
                .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        self.job(&job.id).await
    }

    /// Removes a job and its history from the journal (its saved file stays). A job still
    /// in progress needs `force`: once forgotten, nothing finishes it.
    pub async fn forget(&self, id: &str, force: bool) -> Result<Job> {
        let job = self.job(id).await?;
        if job.state.is_unfinished() && job.state != JobState::Pending && !force {
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason: "it may still produce a billed video: `videohub jobs resume` finishes it, --force forgets it anyway".into(),
            });
        }
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(&job.id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(job)
    }

    /// Remembers that a task of `model` on `hub` took `duration`.
    pub async fn record_duration(&self, hub: &str, model: &str, duration: Duration) -> Result<()> {
        sqlx::query("INSERT INTO task_durations (hub, model, seconds, at) VALUES ($1, $2, $3, $4)")
            .bind(hub)
            .bind(model)
            .bind(duration.as_secs_f64())
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The last 32 task durations of each model on `hub`, oldest first, to load into a
    /// client with [`Client::remember_task_durations`](videohub::Client::remember_task_durations).
    pub async fn task_durations(&self, hub: &str) -> Result<TaskDurations> {
        let rows = sqlx::query(
            "SELECT model, seconds FROM ( \
               SELECT model, seconds, id, \
                 ROW_NUMBER() OVER (PARTITION BY model ORDER BY id DESC) AS recent \
               FROM task_durations WHERE hub = $1) AS durations \
             WHERE recent <= $2 ORDER BY model, id",
        )
        .bind(hub)
        .bind(DURATIONS_PER_MODEL)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let mut durations = TaskDurations::default();
        for row in rows {
            let seconds: f64 = row.get("seconds");
            if let Ok(duration) = Duration::try_from_secs_f64(seconds) {
                durations.record(row.get::<&str, _>("model"), duration);
            }
        }
        Ok(durations)
    }

    #[cfg(test)]
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// What a state change writes besides the state; `None` keeps a column.
#[derive(Debug)]
pub(crate) struct Change {
    pub(crate) state: JobState,
    pub(crate) task_id: Option<String>,
    pub(crate) result: Option<Value>,
    /// Set as given: `None` clears the last error.
    pub(crate) error: Option<String>,
    pub(crate) file_path: Option<PathBuf>,
    pub(crate) file_size: Option<u64>,
    pub(crate) sha256: Option<String>,
    pub(crate) task_elapsed: Option<Duration>,
    /// Whether this change sends a submit.
    pub(crate) submitted: bool,
    /// The event's text, when not the error.
    pub(crate) detail: Option<String>,
}

impl Change {
    /// A change to `state` that writes nothing else (and clears the last error).
    pub(crate) fn to(state: JobState) -> Change {
        Change {
            state,
            task_id: None,
            result: None,
            error: None,
            file_path: None,
            file_size: None,
            sha256: None,
            task_elapsed: None,
            submitted: false,
            detail: None,
        }
    }
}

async fn event(
    tx: &mut AnyConnection,
    id: &str,
    state: JobState,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO job_events (job_id, at, state, detail) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(now_ms())
        .bind(state.as_str())
        .bind(detail)
        .execute(tx)
        .await?;
    Ok(())
}

fn read_job(journal: &str, row: &AnyRow) -> Result<Job> {
    let id: String = row.get("id");
    let input: String = row.get("input");
    let input: Map<String, Value> = serde_json::from_str(&input).map_err(|e| Error::BadInput {
        id: id.clone(),
        message: e.to_string(),
    })?;
    let result: Option<String> = row.get("result");
    Ok(Job {
        hub: row.get("hub"),
        model: row.get("model"),
        endpoint: row.get("endpoint"),
        input,
        output_path: PathBuf::from(row.get::<String, _>("output_path")),
        state: parse_state(journal, row.get("state"))?,
        task_id: row.get("task_id"),
        result: result.and_then(|r| serde_json::from_str(&r).ok()),
        error: row.get("error"),
        file_path: row.get::<Option<String>, _>("file_path").map(PathBuf::from),
        file_size: row
            .get::<Option<i64>, _>("file_size")
            .and_then(|s| u64::try_from(s).ok()),
        sha256: row.get("sha256"),
        task_duration: row
            .get::<Option<i64>, _>("task_elapsed_ms")
            .and_then(|ms| u64::try_from(ms).ok())
            .map(Duration::from_millis),
        submits: u32::try_from(row.get::<i64, _>("submits")).unwrap_or(u32::MAX),
        owner: row.get("owner"),
        created_at: from_ms(row.get("created_at")),
        updated_at: from_ms(row.get("updated_at")),
        id,
    })
}

fn parse_state(journal: &str, text: String) -> Result<JobState> {
    text.parse()
        .map_err(|e: crate::state::UnknownState| Error::Storage {
            journal: journal.to_owned(),
            message: e.to_string(),
        })
}

/// A new job id: the time in milliseconds and 32 random bits, in hex (ids sort by time).
fn new_job_id() -> String {
    format!("{:011x}{:08x}", now_ms(), fastrand::u32(..))
}

fn lease_ms() -> i64 {
    i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `('pending', 'submitted')`: the states' names are fixed words, safe in SQL.
fn state_list(states: &[JobState]) -> String {
    let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// `('ab12…', …)`: line keys and job ids are hex digits, safe in SQL; anything else is left
/// out. An empty list is `('')`, which matches nothing.
fn key_list(keys: &[String]) -> String {
    let safe: Vec<String> = keys
        .iter()
        .filter(|k| k.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|k| format!("'{k}'"))
        .collect();
    if safe.is_empty() {
        "('')".to_owned()
    } else {
        format!("({})", safe.join(", "))
    }
}

/// `text` with `%`, `_` and `\` escaped for a `LIKE … ESCAPE '\'` pattern.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `text` as it appears inside a JSON string, to search stored inputs.
fn json_text(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1).max(1)].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_job(prompt: &str) -> NewJob {
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
        sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 2))
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
}
