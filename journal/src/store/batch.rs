//! Batches: recorded once as a row, their jobs carrying its id, so that recording, claiming,
//! counting and listing never name the batch's lines. A claim and the check for jobs still
//! to do walk the index of unfinished jobs (`jobs_batch_open`), whose length does not grow
//! with the lines already done; counts read the index of `(batch_id, state)` alone.

use std::collections::BTreeMap;
use std::path::Path;

use futures::{Stream, StreamExt};
use serde_json::Value;

use super::files::path_text;
use super::insert::new_job_id;
use super::sql::{KEYS_PER_QUERY, OPEN, values};
use super::{Db, Journal};
use crate::batch_lines::LineKey;
use crate::error::{Error, Result};
use crate::job::{Job, JobRow, NewJob};
use crate::owner::Owner;
use crate::request::digest_of;
use crate::state::JobState;
use crate::time::now_ms;

/// Lines per transaction when a batch is recorded: each commit is one synced write.
pub(crate) const LINES_PER_TRANSACTION: usize = 2_000;
/// Lines per `INSERT` (9 values each). Few enough that binding them stays cheap: sqlx
/// binds SQLite's parameters by name, and SQLite finds each name in a list as long as the
/// statement's, so the binding of a statement costs the square of its values (at 500
/// lines, it took a third of the time a million-line batch took to record).
const LINES_PER_STATEMENT: usize = 100;

/// A batch's jobs counted by state and by whether they wait on the hub's limit.
const COUNTS: &str = "SELECT state, \
     CAST(CASE WHEN hub_limit_until IS NULL THEN 0 ELSE 1 END AS BIGINT) AS waiting, COUNT(*) \
     FROM jobs WHERE batch_id = $1 GROUP BY state, waiting";

/// The finished jobs of batch `$1`, oldest first (`NOT` the condition `OPEN`).
const FINISHED: &str = "SELECT * FROM jobs WHERE batch_id = $1 AND NOT (state IN \
     ('pending', 'submitting', 'submitted', 'completed')) ORDER BY created_at, id";

/// A batch line without an output name, found in the partial index `jobs_unnamed` (which
/// holds those alone) whatever the number of jobs.
const UNNAMED: &str = "SELECT 1 FROM jobs WHERE batch IS NOT NULL AND output_name IS NULL LIMIT 1";

/// The downloaded jobs of batch `$1` whose file is not in the folder `$2` (its path, ending
/// with a separator).
const ELSEWHERE: &str = "SELECT id FROM jobs WHERE batch_id = $1 AND state = 'downloaded' \
     AND output_name IS NOT NULL AND file_path IS NOT NULL \
     AND substr(file_path, 1, length($2)) <> $2";

/// How many jobs of a batch are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Jobs per state.
    pub states: BTreeMap<JobState, usize>,
    /// Pending jobs whose submit the hub refused for now (429, or 503 with `Retry-After`):
    /// they wait on the hub's limit and are sent again.
    pub waiting_on_hub: usize,
}

impl BatchCounts {
    /// Every job of the batch in the journal.
    pub fn total(&self) -> usize {
        self.states.values().sum()
    }
}

impl Journal {
    /// Records the batch `batch_id` named `name`, run into `folder`, and its jobs as
    /// [`JobState::Pending`], unleased, each under its line key (see
    /// [`line_keys`](crate::line_keys)) with its output's name inside `folder`, in
    /// transactions of a few thousand lines. A job whose key is already in the journal (a
    /// list run again, by this worker or another, into this folder or another, or one with
    /// lines added) is not recorded twice: it joins this batch. Returns how many were new.
    pub async fn record_batch(
        &self,
        name: &str,
        batch_id: &str,
        folder: &Path,
        jobs: &[NewJob],
        keys: &[String],
    ) -> Result<usize> {
        self.record_batch_row(name, batch_id, jobs.len() as u64)
            .await?;
        let lines: Vec<(&NewJob, &str)> =
            jobs.iter().zip(keys.iter().map(String::as_str)).collect();
        let mut recorded = 0;
        for transaction in lines.chunks(LINES_PER_TRANSACTION) {
            recorded += self
                .record_batch_lines(name, batch_id, folder, transaction)
                .await?;
        }
        Ok(recorded)
    }

    /// Records the row of the batch `batch_id` named `name`, of `lines` lines, unless it is
    /// there.
    pub(crate) async fn record_batch_row(
        &self,
        name: &str,
        batch_id: &str,
        lines: u64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO batches (id, name, lines, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(batch_id)
        .bind(name)
        .bind(i64::try_from(lines).unwrap_or(i64::MAX))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .db(self)?;
        Ok(())
    }

    /// Makes the jobs recorded under any of `keys` (by an earlier list, or before batches
    /// had rows) jobs of the batch `batch_id`, a few hundred keys per statement.
    pub(crate) async fn adopt_lines(
        &self,
        batch_id: &str,
        keys: impl Iterator<Item = Result<LineKey>> + Send,
    ) -> Result<()> {
        let mut chunk = Vec::with_capacity(KEYS_PER_QUERY);
        let mut keys = keys.peekable();
        while keys.peek().is_some() {
            chunk.clear();
            for key in keys.by_ref().take(KEYS_PER_QUERY) {
                chunk.push(key?.key);
            }
            self.adopt(&self.pool, batch_id, &chunk).await?;
        }
        Ok(())
    }

    /// Makes the jobs recorded under `keys` jobs of the batch `batch_id`.
    async fn adopt<'c, E>(
        &self,
        executor: E,
        batch_id: &str,
        keys: &[impl AsRef<str>],
    ) -> Result<()>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        let adopt = format!(
            "UPDATE jobs SET batch_id = $1 WHERE line_key IN ({}) \
             AND (batch_id IS NULL OR batch_id <> $1)",
            self.location.json_list("$2")
        );
        sqlx::query(sqlx::AssertSqlSafe(&*adopt))
            .bind(batch_id)
            .bind(Value::from_iter(keys.iter().map(AsRef::as_ref)).to_string())
            .execute(executor)
            .await
            .db(self)?;
        Ok(())
    }

    /// Records `lines` (jobs and their keys) in the batch `batch_id` named `name`, run into
    /// `folder`, in one transaction, as [`record_batch`](Journal::record_batch) does.
    /// Returns how many were new.
    pub(crate) async fn record_batch_lines(
        &self,
        name: &str,
        batch_id: &str,
        folder: &Path,
        lines: &[(&NewJob, &str)],
    ) -> Result<usize> {
        let now = now_ms();
        let detail = format!("recorded in batch {name}");
        let mut recorded = 0;
        let mut tx = self.pool.begin().await.db(self)?;
        for chunk in lines.chunks(LINES_PER_STATEMENT) {
            let insert = format!(
                "INSERT INTO jobs (batch, batch_id, created_at, updated_at, state, id, hub, \
                 model, endpoint, input, output_path, line_key, request_digest, \
                 output_name) VALUES {} ON CONFLICT (line_key) DO NOTHING RETURNING id",
                values(chunk.len(), 4, "$1, $2, $3, $3, 'pending'", 9)
            );
            let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(&*insert))
                .bind(name)
                .bind(batch_id)
                .bind(now);
            for (new, key) in chunk {
                query = query
                    .bind(new_job_id())
                    .bind(&new.hub)
                    .bind(&new.model)
                    .bind(&new.endpoint)
                    .bind(Value::Object(new.input.clone()).to_string())
                    .bind(path_text(&new.output_path))
                    .bind(*key)
                    .bind(digest_of(new))
                    .bind(output_name(new, folder));
            }
            let ids = query.fetch_all(&mut *tx).await.db(self)?;
            if !ids.is_empty() {
                let events = format!(
                    "INSERT INTO job_events (at, state, detail, job_id) VALUES {}",
                    values(ids.len(), 3, "$1, 'pending', $2", 1)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(&*events))
                    .bind(now)
                    .bind(&detail);
                for id in &ids {
                    query = query.bind(id);
                }
                query.execute(&mut *tx).await.db(self)?;
            }
            recorded += ids.len();
            if ids.len() < chunk.len() {
                // Lines recorded before (by an earlier list, or before batches had rows)
                // join this batch.
                let keys: Vec<&str> = chunk.iter().map(|(_, key)| *key).collect();
                self.adopt(&mut *tx, batch_id, &keys).await?;
            }
        }
        tx.commit().await.db(self)?;
        Ok(recorded)
    }

    /// Takes the lease of the oldest unfinished job of batch `batch_id` that nobody holds
    /// (and that is not in `skip`), for `owner`, whose files go in `folder`: the job's
    /// output goes there from now; `None` when there is none. Among several workers on
    /// Postgres each job goes to exactly one (`FOR UPDATE SKIP LOCKED`).
    pub async fn claim_next(
        &self,
        batch_id: &str,
        skip: &[String],
        owner: &Owner,
        folder: &Path,
    ) -> Result<Option<Job>> {
        let row = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(&*self.claim_sql()))
            .bind(owner.as_str())
            .bind(batch_id)
            .bind(Value::from(skip.to_vec()).to_string())
            .bind(folder_prefix(folder))
            .fetch_optional(&self.pool)
            .await
            .db(self)?;
        row.map(Job::try_from).transpose()
    }

    /// Whether the journal holds batch lines without an output name: lines an earlier
    /// videohub recorded (whose keys [`adopt_legacy_lines`](Journal::adopt_legacy_lines)
    /// renews), or whose file goes outside their batch's folder. A run of a list into a
    /// journal without any skips looking its lines up under their older keys.
    pub(crate) async fn has_unnamed_lines(&self) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(UNNAMED)
            .fetch_optional(&self.pool)
            .await
            .db(self)?;
        Ok(found.is_some())
    }

    /// Gives the jobs recorded under an older key of their line (`legacy`, made by an
    /// earlier videohub from the output's whole path) the line's key today (`key`, made
    /// from the output's name inside the batch's folder), that name and the batch
    /// `batch_id`, unless a job holds that key already: a list recorded by an earlier
    /// videohub goes on where it stopped. One indexed query per few hundred lines; writes
    /// only the lines it finds, those of a few hundred lines in one transaction.
    pub(crate) async fn adopt_legacy_lines(
        &self,
        batch_id: &str,
        folder: &Path,
        lines: &[(&NewJob, &str, String)],
    ) -> Result<()> {
        let find = format!(
            "SELECT line_key FROM jobs WHERE line_key IN ({})",
            self.location.json_list("$1")
        );
        for chunk in lines.chunks(KEYS_PER_QUERY) {
            let olds: Vec<&str> = chunk
                .iter()
                .filter(|(_, key, old)| key != old)
                .map(|(_, _, old)| old.as_str())
                .collect();
            if olds.is_empty() {
                continue;
            }
            let found: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(&*find))
                .bind(Value::from(olds).to_string())
                .fetch_all(&self.pool)
                .await
                .db(self)?;
            if found.is_empty() {
                continue;
            }
            // One synced write for the lines of the chunk.
            let mut tx = self.pool.begin().await.db(self)?;
            for (new, key, old) in chunk.iter().filter(|(_, _, old)| found.contains(old)) {
                sqlx::query(
                    "UPDATE jobs SET line_key = $1, output_name = $2, batch_id = $3 \
                     WHERE line_key = $4 \
                     AND NOT EXISTS (SELECT 1 FROM jobs AS taken WHERE taken.line_key = $1)",
                )
                .bind(*key)
                .bind(output_name(new, folder))
                .bind(batch_id)
                .bind(old.as_str())
                .execute(&mut *tx)
                .await
                .db(self)?;
            }
            tx.commit().await.db(self)?;
        }
        Ok(())
    }

    /// The downloaded jobs of batch `batch_id` whose file is not in `folder` (downloaded by
    /// another worker, or by a run into another folder): the ids of those a run into
    /// `folder` puts a copy of there, read as they are taken.
    pub fn batch_files_elsewhere<'a>(
        &'a self,
        batch_id: &'a str,
        folder: &Path,
    ) -> impl Stream<Item = Result<String>> + Send + 'a {
        sqlx::query_scalar::<_, String>(ELSEWHERE)
            .bind(batch_id)
            .bind(folder_prefix(folder))
            .fetch(&self.pool)
            .map(move |id| id.db(self))
    }

    /// Whether batch `batch_id` has an unfinished job outside `skip` that `owner` does not
    /// hold (free, or held by another process).
    pub async fn batch_has_open_jobs(
        &self,
        batch_id: &str,
        skip: &[String],
        owner: &Owner,
    ) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(&*self.open_sql()))
            .bind(batch_id)
            .bind(Value::from(skip.to_vec()).to_string())
            .bind(owner.as_str())
            .fetch_optional(&self.pool)
            .await
            .db(self)?;
        Ok(found.is_some())
    }

    /// The finished jobs of batch `batch_id`, oldest first, read as they are taken.
    pub fn batch_finished_jobs<'a>(
        &'a self,
        batch_id: &'a str,
    ) -> impl Stream<Item = Result<Job>> + Send + 'a {
        sqlx::query_as::<_, JobRow>(FINISHED)
            .bind(batch_id)
            .fetch(&self.pool)
            .map(move |row| Job::try_from(row.db(self)?))
    }

    /// How many jobs of batch `batch_id` are in each state, and how many wait on the
    /// hub's limit.
    pub async fn batch_counts(&self, batch_id: &str) -> Result<BatchCounts> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(COUNTS)
            .bind(batch_id)
            .fetch_all(&self.pool)
            .await
            .db(self)?;
        let mut counts = BatchCounts::default();
        for (state, waiting, count) in rows {
            let state = parse_state(self.location(), &state)?;
            let count = usize::try_from(count).unwrap_or(0);
            *counts.states.entry(state).or_default() += count;
            if waiting == 1 && state == JobState::Pending {
                counts.waiting_on_hub += count;
            }
        }
        Ok(counts)
    }
}

impl Journal {
    /// Claims the oldest free unfinished job of batch `$2` for owner `$1`, when it has no
    /// lease or its lease ran out (on the database's clock) and it is not in the JSON list
    /// `$3`; its output goes to the folder `$4` (ending with a separator) from now.
    fn claim_sql(&self) -> String {
        format!(
            "UPDATE jobs SET owner = $1, lease_until = {until}, output_path = CASE \
               WHEN output_name IS NULL THEN output_path ELSE $4 || output_name END \
             WHERE id = ( \
               SELECT id FROM jobs WHERE batch_id = $2 AND {OPEN} \
               AND (owner IS NULL OR ({expired})) AND id NOT IN ({skip}) \
               ORDER BY batch_id, created_at, id LIMIT 1 {lock}) \
             RETURNING *",
            until = self.lease_until(),
            expired = self.location.lease_expired(),
            skip = self.location.json_list("$3"),
            lock = self.location.row_lock(),
        )
    }

    /// An unfinished job of batch `$1`, not in the JSON list `$2`, not held by `$3`.
    fn open_sql(&self) -> String {
        format!(
            "SELECT id FROM jobs WHERE batch_id = $1 AND {OPEN} AND id NOT IN ({}) \
             AND (owner IS NULL OR owner <> $3) LIMIT 1",
            self.location.json_list("$2")
        )
    }
}

/// `folder`'s path ending with a separator: what the paths of the files in it start with.
fn folder_prefix(folder: &Path) -> String {
    let mut prefix = path_text(folder);
    if !prefix.ends_with(std::path::MAIN_SEPARATOR) {
        prefix.push(std::path::MAIN_SEPARATOR);
    }
    prefix
}

/// The name of `new`'s output inside `folder` (the batch's `--out`), as stored; `None` for
/// an output outside it, or no folder (an empty path).
pub(super) fn output_name(new: &NewJob, folder: &Path) -> Option<String> {
    if folder.as_os_str().is_empty() {
        return None;
    }
    new.output_path.strip_prefix(folder).ok().map(path_text)
}

/// A state read from a row that names no job (a batch's counts): one that does not parse
/// is an error of the journal `journal`.
pub(super) fn parse_state(journal: &str, text: &str) -> Result<JobState> {
    text.parse()
        .map_err(|e: crate::state::UnknownState| Error::Storage {
            journal: journal.to_owned(),
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sqlx::Any;
    use sqlx::Executor;
    use sqlx::any::AnyArguments;

    use super::*;
    use crate::batch::{batch_id, line_keys};

    /// The folder the test batches are run into.
    fn out() -> &'static Path {
        Path::new("out")
    }

    fn lines(n: usize) -> Vec<NewJob> {
        (0..n)
            .map(|i| NewJob {
                hub: "http://127.0.0.1:1".into(),
                model: "veo-3.1".into(),
                endpoint: "/hub/v1/video".into(),
                input: json!({"prompt": format!("shot {i}")})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                output_path: format!("out/{i}.mp4").into(),
            })
            .collect()
    }

    /// A journal holding a batch of `n` lines, all downloaded but the last `open`.
    async fn batch_of(n: usize, open: usize) -> (tempfile::TempDir, Journal, String) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("j.sqlite3")).await.unwrap();
        let jobs = lines(n);
        let keys = line_keys(&jobs, out());
        let batch = batch_id(&keys);
        assert_eq!(
            journal
                .record_batch("b", &batch, out(), &jobs, &keys)
                .await
                .unwrap(),
            n
        );
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM jobs ORDER BY created_at, id")
            .fetch_all(journal.pool())
            .await
            .unwrap();
        for id in &ids[..n - open] {
            sqlx::query("UPDATE jobs SET state = 'downloaded' WHERE id = $1")
                .bind(id)
                .execute(journal.pool())
                .await
                .unwrap();
        }
        sqlx::query("ANALYZE")
            .execute(journal.pool())
            .await
            .unwrap();
        (dir, journal, batch)
    }

    #[tokio::test]
    async fn a_claim_visits_only_the_unfinished_jobs_whatever_the_batch_size() {
        let owner = Owner::this_process();
        for n in [200, 2_000] {
            let (_dir, journal, batch) = batch_of(n, 8).await;
            // The claim and the check for jobs left search the index of unfinished jobs (8
            // entries here, for 200 lines as for 2,000) in its order: no scan of the
            // batch, no sort.
            let claim = journal.sqlite_plan(&journal.claim_sql()).await;
            assert!(
                claim
                    .iter()
                    .any(|s| s.starts_with("SEARCH jobs USING INDEX jobs_batch_open (batch_id=?)")),
                "{n} lines: {claim:?}"
            );
            // The check reads unfinished jobs only: by that index, or by state.
            let open = journal.sqlite_plan(&journal.open_sql()).await;
            assert!(
                open.iter().any(|s| s
                    .starts_with("SEARCH jobs USING INDEX jobs_batch_open (batch_id=?)")
                    || s.starts_with(
                        "SEARCH jobs USING INDEX jobs_batch_state (batch_id=? AND state=?)"
                    )),
                "{n} lines: {open:?}"
            );
            for steps in [&claim, &open] {
                assert!(
                    !steps
                        .iter()
                        .any(|s| s.starts_with("SCAN jobs") || s.contains("TEMP B-TREE")),
                    "{n} lines: {steps:?}"
                );
            }
            let indexed: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM jobs INDEXED BY jobs_batch_open WHERE batch_id = $1 AND {OPEN}"
            )))
            .bind(&batch)
            .fetch_one(journal.pool())
            .await
            .unwrap();
            assert_eq!(indexed, 8, "{n} lines");
            // Counts read the (batch_id, state) index alone.
            let counts = journal.sqlite_plan(COUNTS).await;
            assert!(
                counts
                    .iter()
                    .any(|s| s.contains("USING COVERING INDEX jobs_batch_state (batch_id=?)")),
                "{counts:?}"
            );
            // The listing of finished jobs reads the batch's rows by the (batch_id, state)
            // index.
            assert!(FINISHED.contains(&format!("NOT ({OPEN})")));
            let finished = journal.sqlite_plan(FINISHED).await;
            assert!(
                finished
                    .iter()
                    .any(|s| s.starts_with("SEARCH jobs USING INDEX jobs_batch_state (batch_id=?")),
                "{finished:?}"
            );
            assert!(
                !finished.iter().any(|s| s.starts_with("SCAN jobs")),
                "{finished:?}"
            );
            let mut claimed = Vec::new();
            while let Some(job) = journal
                .claim_next(&batch, &[], &owner, out())
                .await
                .unwrap()
            {
                claimed.push(job.id);
            }
            assert_eq!(claimed.len(), 8);
            let counted = journal.batch_counts(&batch).await.unwrap();
            assert_eq!(counted.total(), n);
            assert_eq!(counted.states[&JobState::Pending], 8);
            assert_eq!(counted.waiting_on_hub, 0);
            sqlx::query("UPDATE jobs SET hub_limit_until = 1 WHERE id = $1")
                .bind(&claimed[0])
                .execute(journal.pool())
                .await
                .unwrap();
            let counted = journal.batch_counts(&batch).await.unwrap();
            assert_eq!(counted.waiting_on_hub, 1, "a pending job the hub refused");
        }
    }

    /// Postgres's plan of `query` (its SQL after `EXPLAIN`), one line per node or condition.
    async fn postgres_plan<'q>(
        conn: &mut sqlx::AnyConnection,
        query: sqlx::query::QueryScalar<'q, Any, String, AnyArguments>,
    ) -> Vec<String> {
        query.fetch_all(conn).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn on_postgres_the_hot_queries_of_a_batch_read_its_indexes() {
        let Some(url) = videohub_tests::postgres_database("batch_plans") else {
            return;
        };
        let journal = Journal::open_store(&url).await.unwrap();
        let jobs = lines(2_000);
        let keys = line_keys(&jobs, out());
        let batch = batch_id(&keys);
        journal
            .record_batch("b", &batch, out(), &jobs, &keys)
            .await
            .unwrap();
        // Another batch's 2,000 lines still to do: the batch's unfinished jobs are not
        // all the journal's.
        let others: Vec<NewJob> = lines(2_000)
            .into_iter()
            .map(|new| NewJob {
                model: "kling".into(),
                ..new
            })
            .collect();
        let other_keys = line_keys(&others, out());
        let other_batch = batch_id(&other_keys);
        journal
            .record_batch("c", &other_batch, out(), &others, &other_keys)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE jobs SET state = 'downloaded' WHERE id IN \
             (SELECT id FROM jobs WHERE batch_id = $1 ORDER BY created_at, id LIMIT 1992)",
        )
        .bind(&batch)
        .execute(journal.pool())
        .await
        .unwrap();
        let mut conn = journal.pool().acquire().await.unwrap();
        conn.execute("VACUUM ANALYZE jobs").await.unwrap();
        // 4,000 rows fit in a few hundred pages, where a sequential scan may cost the
        // planner less than any index; turned off in this session, the plans show the index
        // each query is served by once the journal is large.
        conn.execute("SET enable_seqscan = off").await.unwrap();
        let explain = |sql: &str| format!("EXPLAIN {sql}");
        let owner = Owner::this_process();
        let claim_sql = explain(&journal.claim_sql());
        let claim = sqlx::query_scalar(sqlx::AssertSqlSafe(&*claim_sql))
            .bind(owner.as_str())
            .bind(&batch)
            .bind("[]")
            .bind("out/");
        let claim = postgres_plan(&mut conn, claim).await;
        // The row to claim is locked (`FOR UPDATE SKIP LOCKED`) as the index of unfinished
        // jobs yields it.
        let lock = claim.iter().position(|s| s.contains("LockRows"));
        let scan = claim
            .iter()
            .position(|s| s.contains("Index Scan using jobs_batch_open on jobs"));
        assert!(
            matches!((lock, scan), (Some(lock), Some(scan)) if scan == lock + 1),
            "{claim:#?}"
        );
        let open_sql = explain(&journal.open_sql());
        let open = sqlx::query_scalar(sqlx::AssertSqlSafe(&*open_sql))
            .bind(&batch)
            .bind("[]")
            .bind(owner.as_str());
        let open = postgres_plan(&mut conn, open).await;
        let counts_sql = explain(COUNTS);
        let counts = postgres_plan(
            &mut conn,
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*counts_sql)).bind(&batch),
        )
        .await;
        let finished_sql = explain(FINISHED);
        let finished = postgres_plan(
            &mut conn,
            sqlx::query_scalar(sqlx::AssertSqlSafe(&*finished_sql)).bind(&batch),
        )
        .await;
        // The check for jobs left reads unfinished jobs only: by the index of unfinished
        // jobs, or by (batch_id, state); counts and the listing by (batch_id, state).
        let uses = |plan: &[String], index: &str| {
            plan.iter().any(|s| {
                s.contains(&format!(" using {index} on jobs"))
                    || s.contains(&format!(" Scan on {index} "))
                    || s.ends_with(&format!(" Scan on {index}"))
            })
        };
        assert!(
            uses(&open, "jobs_batch_open") || uses(&open, "jobs_batch_state"),
            "{open:#?}"
        );
        assert!(uses(&counts, "jobs_batch_state"), "{counts:#?}");
        assert!(uses(&finished, "jobs_batch_state"), "{finished:#?}");
        for plan in [&claim, &open, &counts, &finished] {
            assert!(
                !plan.iter().any(|s| s.contains("Seq Scan on jobs")),
                "{plan:#?}"
            );
        }
    }

    #[tokio::test]
    async fn jobs_recorded_before_batches_had_rows_join_the_batch_when_run_again() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("j.sqlite3")).await.unwrap();
        let jobs = lines(3);
        let keys = line_keys(&jobs, out());
        let batch = batch_id(&keys);
        journal
            .record_batch("b", &batch, out(), &jobs, &keys)
            .await
            .unwrap();
        // As a journal of the first schema holds them: line keys, no batch id.
        sqlx::query("UPDATE jobs SET batch_id = NULL")
            .execute(journal.pool())
            .await
            .unwrap();
        let owner = Owner::this_process();
        let claimed = journal
            .claim_next(&batch, &[], &owner, out())
            .await
            .unwrap();
        assert!(claimed.is_none());
        let more = lines(4);
        let more_keys = line_keys(&more, out());
        let bigger = batch_id(&more_keys);
        assert_eq!(
            journal
                .record_batch("b", &bigger, out(), &more, &more_keys)
                .await
                .unwrap(),
            1
        );
        let counts = journal.batch_counts(&bigger).await.unwrap();
        assert_eq!(counts.states[&JobState::Pending], 4);
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_events")
            .fetch_one(journal.pool())
            .await
            .unwrap();
        assert_eq!(
            events, 4,
            "one event per job recorded, none for those joining"
        );
    }

    #[tokio::test]
    async fn lines_of_an_earlier_videohub_are_looked_for_in_their_own_index() {
        let journal = Journal::in_memory().await.unwrap();
        let jobs = lines(50);
        let keys = line_keys(&jobs, out());
        journal
            .record_batch("b", &batch_id(&keys), out(), &jobs, &keys)
            .await
            .unwrap();
        // Named lines, as this videohub records them: none to look for.
        assert!(!journal.has_unnamed_lines().await.unwrap());
        let plan = journal.sqlite_plan(UNNAMED).await;
        assert!(
            plan.iter().any(|s| s.contains("INDEX jobs_unnamed")),
            "{plan:?}"
        );
        sqlx::query("UPDATE jobs SET output_name = NULL WHERE line_key = $1")
            .bind(&keys[7])
            .execute(journal.pool())
            .await
            .unwrap();
        assert!(journal.has_unnamed_lines().await.unwrap());
    }

    #[tokio::test]
    async fn a_large_batch_is_recorded_in_few_transactions_and_once() {
        let journal = Journal::in_memory().await.unwrap();
        let jobs = lines(LINES_PER_TRANSACTION * 2 + 7);
        let keys = line_keys(&jobs, out());
        let batch = batch_id(&keys);
        assert_eq!(
            journal
                .record_batch("b", &batch, out(), &jobs, &keys)
                .await
                .unwrap(),
            jobs.len()
        );
        assert_eq!(
            journal
                .record_batch("b", &batch, out(), &jobs, &keys)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            journal.batch_counts(&batch).await.unwrap().total(),
            jobs.len()
        );
    }
}
