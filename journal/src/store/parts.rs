//! What the journal keeps for local files: the part file of a download under way (so that
//! another process continues it, and none outlives its job), or the multipart upload of an
//! object (so that another process aborts it), and the earlier jobs whose task a batch line
//! may reuse instead of paying again.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::batch::output_name;
use super::files::{path_text, remove_file};
use super::insert::{event, new_job_id};
use super::sql::KEYS_PER_QUERY;
use super::{Db, Journal};
use crate::error::Result;
use crate::job::{Job, JobRow, NewJob};
use crate::owner::{self, Owner};
use crate::request::{digest_of, request_digest};
use crate::state::JobState;
use crate::time::now_ms;

/// A job with a part file, as the sweep of part files reads it.
#[derive(sqlx_macros::FromRow)]
struct PartRow {
    id: String,
    state: String,
    owner: Option<String>,
    /// 1 while its lease runs, on the database's clock.
    leased: i64,
    part_path: String,
}

impl PartRow {
    /// Whether no process continues the part: its job ended, or no live process holds it
    /// and `stale` says it was left long enough.
    fn abandoned(&self, stale: impl FnOnce() -> bool) -> bool {
        // A state that does not parse is no unfinished job's.
        let ended = !self
            .state
            .parse::<JobState>()
            .is_ok_and(JobState::is_unfinished);
        let held = self.owner.as_deref().is_some_and(|o| !owner::is_gone(o)) && self.leased == 1;
        ended || (!held && stale())
    }

    /// Whether the part is an object's upload rather than a file.
    fn is_upload(&self) -> bool {
        is_object(Path::new(&self.part_path))
    }
}

/// Whether `part` names an object (an upload) rather than a file.
fn is_object(part: &Path) -> bool {
    matches!(
        videohub::Destination::parse(part),
        Ok(videohub::Destination::Object(_))
    )
}

impl Journal {
    /// Records that job `id`, held by `owner`, uploads its file to the object `url` in the
    /// multipart upload `upload_id`, before the first part is sent;
    /// [`Error::LeaseLost`](crate::Error::LeaseLost) when `owner` no longer holds the job.
    #[cfg(feature = "object-store")]
    pub(crate) async fn set_upload(
        &self,
        id: &str,
        owner: &Owner,
        url: &str,
        upload_id: &str,
    ) -> Result<()> {
        let set = sqlx::query(
            "UPDATE jobs SET part_path = $1, part_validator = NULL, upload_id = $2 \
             WHERE id = $3 AND owner = $4",
        )
        .bind(url)
        .bind(upload_id)
        .bind(id)
        .bind(owner.as_str())
        .execute(&self.pool)
        .await
        .db(self)?;
        self.held(id, set.rows_affected()).await
    }

    /// Job `id`'s recorded upload: its object's URL and the store's id of the upload.
    pub(crate) async fn upload_of(&self, id: &str) -> Result<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT part_path, upload_id FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .db(self)?;
        Ok(match row {
            Some((Some(url), Some(upload_id))) => Some((url, upload_id)),
            _ => None,
        })
    }

    /// Records that job `id`, held by `owner`, downloads into the part file `part` with
    /// `validator` (that of the answer its bytes came from, when continued);
    /// [`Error::LeaseLost`](crate::Error::LeaseLost) when `owner` no longer holds the job.
    pub(crate) async fn set_part(
        &self,
        id: &str,
        owner: &Owner,
        part: &Path,
        validator: Option<&str>,
    ) -> Result<()> {
        let set = sqlx::query(
            "UPDATE jobs SET part_path = $1, part_validator = $2 WHERE id = $3 AND owner = $4",
        )
        .bind(path_text(part))
        .bind(validator)
        .bind(id)
        .bind(owner.as_str())
        .execute(&self.pool)
        .await
        .db(self)?;
        self.held(id, set.rows_affected()).await
    }

    /// Records the validator (`ETag` or `Last-Modified`) of the answer job `id`'s part file
    /// holds the bytes of, while `owner` holds the job.
    pub(crate) async fn set_part_validator(
        &self,
        id: &str,
        owner: &Owner,
        validator: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE jobs SET part_validator = $1 WHERE id = $2 AND owner = $3")
            .bind(validator)
            .bind(id)
            .bind(owner.as_str())
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(())
    }

    /// Job `id`'s recorded part file and its validator.
    pub(crate) async fn part_of(&self, id: &str) -> Result<Option<(PathBuf, Option<String>)>> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT part_path, part_validator FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .db(self)?;
        Ok(row.and_then(|(path, validator)| path.map(|p| (PathBuf::from(p), validator))))
    }

    /// Forgets job `id`'s part file and removes it, when `owner` holds the job (or, with
    /// `None`, whoever does): the file of another process's download is never touched. An
    /// upload is forgotten only (aborted by the caller).
    pub(crate) async fn remove_part(&self, id: &str, owner: Option<&Owner>) -> Result<()> {
        let Some((part, _)) = self.part_of(id).await? else {
            return Ok(());
        };
        let forgotten = sqlx::query(
            "UPDATE jobs SET part_path = NULL, part_validator = NULL, upload_id = NULL \
             WHERE id = $1 AND part_path = $2 AND ($3 IS NULL OR owner = $3)",
        )
        .bind(id)
        .bind(path_text(&part))
        .bind(owner.map(Owner::as_str))
        .execute(&self.pool)
        .await
        .db(self)?;
        if forgotten.rows_affected() == 1 && !is_object(&part) {
            remove_file(&part);
        }
        Ok(())
    }

    /// Removes the part files no job will continue: those of jobs that ended, and those of
    /// unfinished jobs that no live process holds, untouched for longer than `max_age`.
    /// Returns how many were removed. Run at the start of the commands that download.
    /// Uploads are left to `Journal::sweep_uploads`, which aborts them in their store.
    pub async fn sweep_parts(&self, max_age: Duration) -> Result<usize> {
        let mut swept = 0;
        for row in self.part_rows().await? {
            if row.is_upload() {
                continue;
            }
            let part = PathBuf::from(&row.part_path);
            let stale = || {
                std::fs::metadata(&part)
                    .and_then(|m| m.modified())
                    .map_or(true, |modified| {
                        SystemTime::now()
                            .duration_since(modified)
                            .is_ok_and(|age| age > max_age)
                    })
            };
            if row.abandoned(stale) {
                tracing::info!(job = %row.id, part = %part.display(), "removing a part file no job continues");
                self.remove_part(&row.id, None).await?;
                swept += 1;
            }
        }
        Ok(swept)
    }

    /// The jobs whose recorded upload no process continues: their job ended, or no live
    /// process holds it (the next one to drive it starts the upload over).
    #[cfg(feature = "object-store")]
    pub(crate) async fn abandoned_uploads(&self) -> Result<Vec<String>> {
        Ok(self
            .part_rows()
            .await?
            .into_iter()
            .filter(|row| row.is_upload() && row.abandoned(|| true))
            .map(|row| row.id)
            .collect())
    }

    /// The jobs with a part file or an upload, and whether their lease runs (on the
    /// database's clock).
    async fn part_rows(&self) -> Result<Vec<PartRow>> {
        let sql = format!(
            "SELECT id, state, owner, CAST(CASE WHEN lease_until >= {now} THEN 1 ELSE 0 END \
             AS BIGINT) AS leased, part_path FROM jobs WHERE part_path IS NOT NULL",
            now = self.location.now_ms()
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .db(self)
    }

    /// Records task `task_id` for job `id`, marked [`JobState::OutcomeUnknown`] by another
    /// process while the submit that created the task (its `submits`-th) waited for the
    /// journal: it becomes [`JobState::Submitted`]. `None` when the job is not in that
    /// state, or was submitted again since.
    pub(crate) async fn settle_unknown(
        &self,
        id: &str,
        submits: u32,
        task_id: &str,
    ) -> Result<Option<Job>> {
        let mut tx = self.pool.begin().await.db(self)?;
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'submitted', task_id = $1, error = NULL, updated_at = $2 \
             WHERE id = $3 AND state = 'outcome_unknown' AND submits = $4",
        )
        .bind(task_id)
        .bind(now_ms())
        .bind(id)
        .bind(i64::from(submits))
        .execute(&mut *tx)
        .await
        .db(self)?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let detail = format!("task {task_id}, recorded late by the process that sent the submit");
        event(&mut tx, id, JobState::Submitted, Some(&detail))
            .await
            .db(self)?;
        tx.commit().await.db(self)?;
        self.job(id).await.map(Some)
    }

    /// The line keys among `keys` already recorded.
    pub(crate) async fn known_lines(&self, keys: &[&str]) -> Result<HashSet<String>> {
        let sql = format!(
            "SELECT line_key FROM jobs WHERE line_key IN ({})",
            self.location.json_list("$1")
        );
        let mut known = HashSet::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql))
                .bind(Value::from(chunk.to_vec()).to_string())
                .fetch_all(&self.pool)
                .await
                .db(self)?;
            known.extend(rows);
        }
        Ok(known)
    }

    /// The downloaded jobs of this journal that paid for the hub, model, endpoint and input
    /// of one of `jobs` themselves (not by reuse), oldest first: the few rows of their
    /// request digests (index `jobs_request_digest`), whatever the number of jobs of their
    /// models. A digest names a request; compare the columns to tell which job a twin is
    /// of.
    pub(crate) async fn paid_twins(&self, jobs: &[&NewJob]) -> Result<Vec<Job>> {
        let digests: BTreeSet<String> = jobs.iter().map(|new| digest_of(new)).collect();
        let digests: Vec<String> = digests.into_iter().collect();
        let sql = self.paid_twins_sql();
        let mut twins = Vec::new();
        for chunk in digests.chunks(KEYS_PER_QUERY) {
            let query = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(&*sql))
                .bind(Value::from(chunk.to_vec()).to_string());
            twins.extend(self.fetch_jobs(query).await?);
        }
        Ok(twins)
    }

    /// The downloaded jobs that paid for a request of a digest in the JSON list `$1`
    /// themselves, oldest first: each digest looked up in the index of digests, rather
    /// than the jobs read in the order of their dates.
    pub(crate) fn paid_twins_sql(&self) -> String {
        format!(
            "WITH wanted (digest) AS ({}) SELECT jobs.* FROM wanted CROSS JOIN jobs \
             WHERE jobs.request_digest = wanted.digest AND jobs.state = 'downloaded' \
             AND jobs.task_id IS NOT NULL AND jobs.reused_from IS NULL \
             ORDER BY jobs.created_at, jobs.id",
            self.location.json_list("$1")
        )
    }

    /// The task ids that jobs of the batch `batch_id` hold among the requests of `twins`.
    pub(crate) async fn batch_tasks(
        &self,
        batch_id: &str,
        twins: &[Job],
    ) -> Result<HashSet<String>> {
        let digests: BTreeSet<String> = twins
            .iter()
            .map(|job| request_digest(&job.hub, &job.model, &job.endpoint, &job.input))
            .collect();
        let digests: Vec<String> = digests.into_iter().collect();
        let sql = self.batch_tasks_sql();
        let mut tasks = HashSet::new();
        for chunk in digests.chunks(KEYS_PER_QUERY) {
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(&*sql))
                .bind(Value::from(chunk.to_vec()).to_string())
                .bind(batch_id)
                .fetch_all(&self.pool)
                .await
                .db(self)?;
            tasks.extend(rows);
        }
        Ok(tasks)
    }

    /// The task ids held by jobs of the batch `$2` whose request digest is in the JSON list
    /// `$1`: each digest looked up in the index of digests, not the batch's jobs.
    pub(crate) fn batch_tasks_sql(&self) -> String {
        format!(
            "WITH wanted (digest) AS ({}) SELECT jobs.task_id FROM wanted CROSS JOIN jobs \
             WHERE jobs.request_digest = wanted.digest AND jobs.batch_id = $2 \
             AND jobs.task_id IS NOT NULL",
            self.location.json_list("$1")
        )
    }

    /// Records `new` as a job of the batch `batch_id` named `batch` under line key `key`
    /// that reuses the task of `paid` (a downloaded job with the same model and input):
    /// [`JobState::Completed`] with its task id and answer, no submit sent; its file is
    /// copied from `paid`'s, or downloaded again when that file is gone. Nothing when the
    /// key is already recorded.
    pub(crate) async fn record_reuse(
        &self,
        batch: &str,
        batch_id: &str,
        folder: &Path,
        new: &NewJob,
        key: &str,
        paid: &Job,
    ) -> Result<bool> {
        let now = now_ms();
        let id = new_job_id();
        let mut tx = self.pool.begin().await.db(self)?;
        let inserted = sqlx::query(
            "INSERT INTO jobs (id, hub, model, endpoint, input, output_path, state, task_id, \
             result, batch, line_key, reused_from, created_at, updated_at, request_digest, \
             batch_id, output_name) \
             VALUES ($1, $2, $3, $4, $5, $6, 'completed', $7, $8, $9, $10, $11, $12, $12, $13, \
             $14, $15) ON CONFLICT (line_key) DO NOTHING",
        )
        .bind(&id)
        .bind(&new.hub)
        .bind(&new.model)
        .bind(&new.endpoint)
        .bind(Value::Object(new.input.clone()).to_string())
        .bind(path_text(&new.output_path))
        .bind(paid.task_id.as_deref())
        .bind(paid.result.as_ref().map(Value::to_string))
        .bind(batch)
        .bind(key)
        .bind(&paid.id)
        .bind(now)
        .bind(digest_of(new))
        .bind(batch_id)
        .bind(output_name(new, folder))
        .execute(&mut *tx)
        .await
        .db(self)?;
        if inserted.rows_affected() == 1 {
            let detail = format!(
                "recorded in batch {batch}, reusing task {} of job {}: no submit sent",
                paid.task_id.as_deref().unwrap_or("?"),
                paid.id
            );
            event(&mut tx, &id, JobState::Completed, Some(&detail))
                .await
                .db(self)?;
        }
        tx.commit().await.db(self)?;
        Ok(inserted.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::store::Change;

    #[cfg(feature = "object-store")]
    #[tokio::test]
    async fn an_upload_is_recorded_swept_when_abandoned_and_keeps_its_job_from_being_forgotten() {
        let journal = Journal::in_memory().await.unwrap();
        let owner = Owner::this_process();
        let job = journal
            .record(&crate::store::tests::new_job("a fox"), &owner)
            .await
            .unwrap();
        journal
            .set_upload(&job.id, &owner, "s3://renders/fox.mp4", "upload-1")
            .await
            .unwrap();
        assert_eq!(
            journal.upload_of(&job.id).await.unwrap(),
            Some(("s3://renders/fox.mp4".into(), "upload-1".into()))
        );
        assert_eq!(
            journal.sweep_parts(Duration::ZERO).await.unwrap(),
            0,
            "not a file"
        );
        assert!(
            journal.abandoned_uploads().await.unwrap().is_empty(),
            "held"
        );
        assert!(matches!(
            journal.forget(&job.id, true).await,
            Err(crate::Error::WrongState { .. })
        ));
        sqlx::query("UPDATE jobs SET owner = NULL")
            .execute(journal.pool())
            .await
            .unwrap();
        assert_eq!(
            journal.abandoned_uploads().await.unwrap(),
            vec![job.id.clone()]
        );
        journal.remove_part(&job.id, None).await.unwrap();
        assert_eq!(journal.upload_of(&job.id).await.unwrap(), None);
        journal.forget(&job.id, true).await.unwrap();
    }

    #[tokio::test]
    async fn a_late_task_id_settles_only_the_submit_that_made_it() {
        let journal = Journal::in_memory().await.unwrap();
        let new = crate::store::tests::new_job("a fox");
        let owner = Owner::this_process();
        let job = journal.record(&new, &owner).await.unwrap();
        let mut sending = Change::to(JobState::Submitting);
        sending.submitted = true;
        let sent = journal
            .transition(&job.id, &owner, &[JobState::Pending], sending)
            .await
            .unwrap();
        journal
            .transition(
                &job.id,
                &owner,
                &[JobState::Submitting],
                Change::to(JobState::OutcomeUnknown),
            )
            .await
            .unwrap();
        let later = journal
            .settle_unknown(&job.id, sent.submits + 1, "t-1")
            .await
            .unwrap();
        assert!(
            later.is_none(),
            "another submit's outcome is not this one's"
        );
        let settled = journal
            .settle_unknown(&job.id, sent.submits, "t-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(settled.state, JobState::Submitted);
        assert_eq!(settled.task_id.as_deref(), Some("t-1"));
        let again = journal.settle_unknown(&job.id, sent.submits, "t-2").await;
        assert!(again.unwrap().is_none(), "only from outcome_unknown");
    }

    fn request(prompt: &str, seed: i64) -> NewJob {
        let mut input = Map::new();
        input.insert("prompt".into(), Value::from(prompt));
        input.insert("seed".into(), Value::from(seed));
        NewJob {
            hub: "http://127.0.0.1:1".into(),
            model: "veo-3.1".into(),
            endpoint: "/hub/v1/video".into(),
            input,
            output_path: "out.mp4".into(),
        }
    }

    /// Records `new` and marks it downloaded with task `task`, as a run leaves it.
    async fn downloaded(journal: &Journal, new: &NewJob, task: &str) -> Job {
        let job = journal.record(new, &Owner::this_process()).await.unwrap();
        sqlx::query("UPDATE jobs SET state = 'downloaded', task_id = $1 WHERE id = $2")
            .bind(task)
            .bind(&job.id)
            .execute(journal.pool())
            .await
            .unwrap();
        job
    }

    #[tokio::test]
    async fn a_paid_twin_is_the_same_request_in_any_key_order() {
        let journal = Journal::in_memory().await.unwrap();
        let paid = downloaded(&journal, &request("fox", 1), "t-1").await;
        downloaded(&journal, &request("fox", 2), "t-2").await;
        let mut reordered = request("fox", 1);
        let prompt = reordered.input.shift_remove("prompt").unwrap();
        reordered.input.insert("prompt".into(), prompt);
        assert_eq!(
            reordered.input.keys().next().map(String::as_str),
            Some("seed")
        );
        let twins = journal.paid_twins(&[&reordered]).await.unwrap();
        assert_eq!(twins.iter().map(|j| &j.id).collect::<Vec<_>>(), [&paid.id]);
        let mut other_model = request("fox", 1);
        other_model.model = "kling".into();
        assert!(
            journal
                .paid_twins(&[&other_model])
                .await
                .unwrap()
                .is_empty()
        );
        // A job that reused a task is no twin: it paid for nothing.
        assert!(
            journal
                .record_reuse(
                    "b",
                    "batch-b",
                    Path::new(""),
                    &request("fox", 1),
                    "k-1",
                    &paid
                )
                .await
                .unwrap()
        );
        sqlx::query("UPDATE jobs SET state = 'downloaded' WHERE reused_from IS NOT NULL")
            .execute(journal.pool())
            .await
            .unwrap();
        assert_eq!(journal.paid_twins(&[&reordered]).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn jobs_recorded_before_digests_get_theirs_when_the_journal_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite3");
        let journal = Journal::open(&path).await.unwrap();
        let paid = downloaded(&journal, &request("fox", 1), "t-1").await;
        // As a journal of schema 3 holds it: no digest.
        sqlx::query("UPDATE jobs SET request_digest = NULL")
            .execute(journal.pool())
            .await
            .unwrap();
        assert!(
            journal
                .paid_twins(&[&request("fox", 1)])
                .await
                .unwrap()
                .is_empty()
        );
        drop(journal);
        let reopened = Journal::open(&path).await.unwrap();
        let missing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE request_digest IS NULL")
                .fetch_one(reopened.pool())
                .await
                .unwrap();
        assert_eq!(missing, 0);
        let twins = reopened.paid_twins(&[&request("fox", 1)]).await.unwrap();
        assert_eq!(twins.iter().map(|j| &j.id).collect::<Vec<_>>(), [&paid.id]);
    }

    #[tokio::test]
    async fn paid_twins_read_the_digest_index_not_the_models_jobs() {
        let journal = Journal::in_memory().await.unwrap();
        for seed in 0..50 {
            downloaded(&journal, &request("fox", seed), &format!("t-{seed}")).await;
        }
        sqlx::query("ANALYZE")
            .execute(journal.pool())
            .await
            .unwrap();
        for sql in [journal.paid_twins_sql(), journal.batch_tasks_sql()] {
            let plan = journal.sqlite_plan(&sql).await;
            assert!(
                plan.iter().any(|s| s
                    .starts_with("SEARCH jobs USING INDEX jobs_request_digest (request_digest=?")),
                "{plan:?}"
            );
            assert!(!plan.iter().any(|s| s.starts_with("SCAN jobs")), "{plan:?}");
        }
    }
}
