//! Reading jobs and their events.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Row};

use super::Journal;
use super::sql::{json_text, like_escaped, state_list};
use crate::error::{Error, Result};
use crate::job::{Job, JobEvent, JobFilter};
use crate::state::JobState;
use crate::time::from_ms;

impl Journal {
    /// The job with exactly this id (a primary-key lookup, for the journal's own reads).
    pub(super) async fn job_exact(&self, id: &str) -> Result<Job> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        match row {
            Some(row) => read_job(self.location(), &row),
            None => Err(Error::NoSuchJob { id: id.to_owned() }),
        }
    }

    /// The job with this id, or with this unique id prefix.
    pub async fn job(&self, id: &str) -> Result<Job> {
        // A whole id is a primary-key lookup; only a prefix needs the scan of `LIKE`.
        match self.job_exact(id).await {
            Err(Error::NoSuchJob { .. }) => {}
            found => return found,
        }
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
    pub(super) async fn fetch_jobs<'q>(
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
}

pub(super) fn read_job(journal: &str, row: &AnyRow) -> Result<Job> {
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
        part_file: row.get::<Option<String>, _>("part_path").map(PathBuf::from),
        reused_from: row.get("reused_from"),
        created_at: from_ms(row.get("created_at")),
        updated_at: from_ms(row.get("updated_at")),
        id,
    })
}

pub(super) fn parse_state(journal: &str, text: String) -> Result<JobState> {
    text.parse()
        .map_err(|e: crate::state::UnknownState| Error::Storage {
            journal: journal.to_owned(),
            message: e.to_string(),
        })
}
