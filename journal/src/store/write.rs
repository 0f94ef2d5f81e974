//! Recording jobs and moving them through their states: each write is one transaction
//! with the event it records.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::files::{path_text, remove_file};
use super::insert::{event, new_job_id};
use super::{Db, Journal};
use crate::error::{Error, Result};
use crate::job::{Job, JobRow, NewJob, stored_state};
use crate::owner::Owner;
use crate::request::digest_of;
use crate::state::JobState;
use crate::time::now_ms;

impl Journal {
    /// Records a new job as [`JobState::Pending`], leased to `owner`, and returns it.
    pub async fn record(&self, new: &NewJob, owner: &Owner) -> Result<Job> {
        let done = self.record_once(new, owner).await;
        self.after_write(done).await
    }

    async fn record_once(&self, new: &NewJob, owner: &Owner) -> Result<Job> {
        let now = now_ms();
        let input = Value::Object(new.input.clone()).to_string();
        let output = path_text(&new.output_path);
        let digest = digest_of(new);
        let sql = format!(
            "INSERT INTO jobs (id, hub, model, endpoint, input, output_path, state, owner, \
             lease_until, created_at, updated_at, request_digest) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, {until}, $8, $8, $9) \
             ON CONFLICT (id) DO NOTHING",
            until = self.lease_until()
        );
        let mut tx = self.pool.begin().await.db(self)?;
        let id = loop {
            let id = new_job_id();
            let inserted = sqlx::query(sqlx::AssertSqlSafe(&*sql))
                .bind(&id)
                .bind(&new.hub)
                .bind(&new.model)
                .bind(&new.endpoint)
                .bind(&input)
                .bind(&output)
                .bind(owner.as_str())
                .bind(now)
                .bind(&digest)
                .execute(&mut *tx)
                .await
                .db(self)?;
            if inserted.rows_affected() == 1 {
                break id;
            }
        };
        event(&mut tx, &id, JobState::Pending, Some("recorded"))
            .await
            .db(self)?;
        tx.commit().await.db(self)?;
        self.job_exact(&id).await
    }

    /// Records `new` as a pending job leased to `owner` under `key` (see
    /// [`request_key`](crate::request_key)), unless a job was recorded under that key
    /// before, by this process or another: that job is returned unchanged, and `false`
    /// says it is not new. A retried request so never makes a second job.
    pub async fn record_keyed(
        &self,
        new: &NewJob,
        key: &str,
        owner: &Owner,
    ) -> Result<(Job, bool)> {
        let done = self.record_keyed_once(new, key, owner).await;
        self.after_write(done).await
    }

    async fn record_keyed_once(
        &self,
        new: &NewJob,
        key: &str,
        owner: &Owner,
    ) -> Result<(Job, bool)> {
        let now = now_ms();
        let sql = format!(
            "INSERT INTO jobs (id, hub, model, endpoint, input, output_path, state, owner, \
             lease_until, line_key, created_at, updated_at, request_digest) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, {until}, $8, $9, $9, $10) \
             ON CONFLICT DO NOTHING",
            until = self.lease_until()
        );
        loop {
            let id = new_job_id();
            let mut tx = self.pool.begin().await.db(self)?;
            let inserted = sqlx::query(sqlx::AssertSqlSafe(&*sql))
                .bind(&id)
                .bind(&new.hub)
                .bind(&new.model)
                .bind(&new.endpoint)
                .bind(Value::Object(new.input.clone()).to_string())
                .bind(path_text(&new.output_path))
                .bind(owner.as_str())
                .bind(key)
                .bind(now)
                .bind(digest_of(new))
                .execute(&mut *tx)
                .await
                .db(self)?;
            if inserted.rows_affected() == 1 {
                event(&mut tx, &id, JobState::Pending, Some("recorded"))
                    .await
                    .db(self)?;
                tx.commit().await.db(self)?;
                return Ok((self.job_exact(&id).await?, true));
            }
            drop(tx);
            // Either the key is taken (the job to return) or, rarely, the id.
            let taken = sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE line_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .db(self)?;
            if let Some(row) = taken {
                return Ok((Job::try_from(row)?, false));
            }
        }
    }

    /// Moves job `id`, held by `owner`, from one of `from` to `change.state`, recording the
    /// change; changes nothing and fails with [`Error::LeaseLost`] when `owner` no longer
    /// holds the job, or with [`Error::WrongState`] when it is not in one of `from`.
    pub(crate) async fn transition(
        &self,
        id: &str,
        owner: &Owner,
        from: &[JobState],
        change: Change,
    ) -> Result<Job> {
        let done = self.transition_once(id, owner, from, change).await;
        self.after_write(done).await
    }

    /// A failed write's connection is replaced (see [`Journal::discard_connection`]).
    async fn after_write<T>(&self, done: Result<T>) -> Result<T> {
        if let Err(Error::Locked { .. } | Error::DiskFull { .. } | Error::Storage { .. }) = &done {
            self.discard_connection().await;
        }
        done
    }

    async fn transition_once(
        &self,
        id: &str,
        owner: &Owner,
        from: &[JobState],
        change: Change,
    ) -> Result<Job> {
        let sql = format!(
            "UPDATE jobs SET state = $1, task_id = COALESCE($2, task_id), \
             result = COALESCE($3, result), error = $4, file_path = COALESCE($5, file_path), \
             file_size = COALESCE($6, file_size), sha256 = COALESCE($7, sha256), \
             task_elapsed_ms = COALESCE($8, task_elapsed_ms), submits = submits + $9, \
             updated_at = $10, hub_limit_until = $12, etag = COALESCE($15, etag) \
             WHERE id = $11 AND owner = $14 AND state IN ({from}) RETURNING *",
            from = self.location.json_list("$13"),
        );
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let mut tx = self.pool.begin().await.db(self)?;
        let updated = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(&*sql))
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
            .bind(change.hub_limit_until)
            .bind(Value::from(from).to_string())
            .bind(owner.as_str())
            .bind(change.etag.as_deref())
            .fetch_optional(&mut *tx)
            .await
            .db(self)?;
        let Some(updated) = updated else {
            drop(tx);
            let job = self.job_exact(id).await?;
            if job.owner.as_deref() != Some(owner.as_str()) {
                return Err(Error::LeaseLost {
                    id: job.id,
                    owner: job.owner,
                });
            }
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason: format!("it cannot become {} from there", change.state),
            });
        };
        let job = Job::try_from(updated)?;
        let detail = change.detail.or(change.error);
        event(&mut tx, id, change.state, detail.as_deref())
            .await
            .db(self)?;
        tx.commit().await.db(self)?;
        Ok(job)
    }

    /// Records an error on job `id`, held by `owner`, without changing its state (e.g. a
    /// download that will be tried again); [`Error::LeaseLost`] when `owner` no longer
    /// holds it.
    pub(crate) async fn note(&self, id: &str, owner: &Owner, error: &str) -> Result<()> {
        let done = self.note_once(id, owner, error).await;
        self.after_write(done).await
    }

    async fn note_once(&self, id: &str, owner: &Owner, error: &str) -> Result<()> {
        let mut tx = self.pool.begin().await.db(self)?;
        let state: Option<String> = sqlx::query_scalar(
            "UPDATE jobs SET error = $1, updated_at = $2 WHERE id = $3 AND owner = $4 \
             RETURNING state",
        )
        .bind(error)
        .bind(now_ms())
        .bind(id)
        .bind(owner.as_str())
        .fetch_optional(&mut *tx)
        .await
        .db(self)?;
        let Some(state) = state else {
            drop(tx);
            return Err(self.not_held(id).await);
        };
        event(&mut tx, id, stored_state(id, "state", &state)?, Some(error))
            .await
            .db(self)?;
        tx.commit().await.db(self)
    }

    /// Records an event of job `id` in `state` without changing the job: a copy of its file
    /// that a run put in another folder of its batch, so that the journal names every copy.
    pub(crate) async fn record_copy(&self, id: &str, state: JobState, detail: &str) -> Result<()> {
        let mut tx = self.pool.begin().await.db(self)?;
        event(&mut tx, id, state, Some(detail)).await.db(self)?;
        tx.commit().await.db(self)
    }

    /// `Ok` when a write allowed only to job `id`'s owner changed its row (`changed` rows),
    /// else the error of [`Journal::not_held`].
    pub(super) async fn held(&self, id: &str, changed: u64) -> Result<()> {
        if changed == 0 {
            return Err(self.not_held(id).await);
        }
        Ok(())
    }

    /// The error of a change refused because `id` is not held by the process asking:
    /// [`Error::LeaseLost`] naming who holds it now ([`Error::NoSuchJob`] when it is gone).
    pub(super) async fn not_held(&self, id: &str) -> Error {
        match self.job_exact(id).await {
            Ok(job) => Error::LeaseLost {
                id: job.id,
                owner: job.owner,
            },
            Err(error) => error,
        }
    }

    /// Keeps `traceparent` as the trace of job `id`, unless it has one already: the
    /// first process to drive a job starts its trace, every later one joins it.
    pub(crate) async fn keep_traceparent(&self, id: &str, traceparent: &str) -> Result<()> {
        let done =
            sqlx::query("UPDATE jobs SET traceparent = $1 WHERE id = $2 AND traceparent IS NULL")
                .bind(traceparent)
                .bind(id)
                .execute(&self.pool)
                .await
                .db(self)
                .map(drop);
        self.after_write(done).await
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
        let mut tx = self.pool.begin().await.db(self)?;
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
        .db(self)?;
        if updated.rows_affected() == 1 {
            let detail = format!(
                "retry after {} (task {})",
                job.state,
                job.task_id.as_deref().unwrap_or("none")
            );
            event(&mut tx, &job.id, JobState::Pending, Some(&detail))
                .await
                .db(self)?;
        }
        tx.commit().await.db(self)?;
        self.job(&job.id).await
    }

    /// Removes a job and its history from the journal (its saved file stays, the part file
    /// of a download cut short goes). A job still
    /// in progress needs `force`: once forgotten, nothing finishes it. A job with an upload
    /// recorded is not forgotten until the upload is aborted (by `jobs resume`, or the
    /// sweep of any command that saves): its parts would stay in the store, unseen.
    pub async fn forget(&self, id: &str, force: bool) -> Result<Job> {
        let job = self.job(id).await?;
        if job.state.is_unfinished() && job.state != JobState::Pending && !force {
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason: "it may still produce a billed video: `videohub jobs resume` finishes it, --force forgets it anyway".into(),
            });
        }
        if let Some((url, _)) = self.upload_of(&job.id).await? {
            return Err(Error::WrongState {
                id: job.id,
                state: job.state.to_string(),
                reason: format!(
                    "its upload to {url} is recorded: `videohub jobs resume` finishes or aborts it \
                     first, so that its parts are not left in the store"
                ),
            });
        }
        if let Some(part) = &job.part_file {
            remove_file(part);
        }
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(&job.id)
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(job)
    }
}

/// What a state change writes besides the state; `None` keeps a column.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) state: JobState,
    pub(crate) task_id: Option<String>,
    pub(crate) result: Option<Value>,
    /// Set as given: `None` clears the last error.
    pub(crate) error: Option<String>,
    pub(crate) file_path: Option<PathBuf>,
    pub(crate) file_size: Option<u64>,
    pub(crate) sha256: Option<String>,
    /// The entity tag of the object saved.
    pub(crate) etag: Option<String>,
    pub(crate) task_elapsed: Option<Duration>,
    /// Whether this change sends a submit.
    pub(crate) submitted: bool,
    /// The event's text, when not the error.
    pub(crate) detail: Option<String>,
    /// Until when (ms since the epoch) the hub asked the job's submit to wait; `None`
    /// clears it.
    pub(crate) hub_limit_until: Option<i64>,
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
            etag: None,
            task_elapsed: None,
            submitted: false,
            detail: None,
            hub_limit_until: None,
        }
    }
}
