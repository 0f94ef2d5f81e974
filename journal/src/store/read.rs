//! Reading jobs and their events.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;

use super::sql::{json_text, like_escaped};
use super::{Db, Journal};
use crate::error::{Error, Result};
use crate::job::{Job, JobEvent, JobFilter, JobRow, stored_state};
use crate::time::from_ms;

/// A query of whole job rows (`SELECT *` or `RETURNING *`).
pub(super) type JobQuery<'q> = QueryAs<'q, Any, JobRow, AnyArguments>;

impl Journal {
    /// The job with exactly this id (a primary-key lookup, for the journal's own reads).
    pub(super) async fn job_exact(&self, id: &str) -> Result<Job> {
        let row = sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db(self)?;
        match row {
            Some(row) => Job::try_from(row),
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
        let query = sqlx::query_as(
            "SELECT * FROM jobs WHERE id = $1 OR id LIKE $2 ESCAPE '\\' ORDER BY id = $1 DESC LIMIT 2",
        )
        .bind(id)
        .bind(format!("{escaped}%"));
        let mut jobs = self.fetch_jobs(query).await?;
        match jobs.len() {
            0 => Err(Error::NoSuchJob { id: id.to_owned() }),
            1 => Ok(jobs.remove(0)),
            _ if jobs[0].id == id => Ok(jobs.remove(0)),
            _ => {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE $1 ESCAPE '\\'")
                        .bind(format!("{escaped}%"))
                        .fetch_one(&self.pool)
                        .await
                        .db(self)?;
                Err(Error::AmbiguousJob {
                    prefix: id.to_owned(),
                    count: usize::try_from(count).unwrap_or(usize::MAX),
                })
            }
        }
    }

    /// The jobs that match `filter`, newest first.
    pub async fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT * FROM jobs WHERE ($1 IS NULL OR state IN ({states})) \
             AND ($2 IS NULL OR model = $2) \
             AND ($3 IS NULL OR lower(input) LIKE '%' || lower($3) || '%' ESCAPE '\\') \
             ORDER BY created_at DESC, id DESC LIMIT $4",
            states = self.location.json_list("$1"),
        );
        let states = (!filter.states.is_empty()).then(|| {
            let names: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
            serde_json::Value::from(names).to_string()
        });
        let query = sqlx::query_as(sqlx::AssertSqlSafe(&*sql))
            .bind(states)
            .bind(filter.model.as_deref())
            .bind(filter.text.as_deref().map(|t| like_escaped(&json_text(t))))
            .bind(filter.limit.map_or(i64::MAX, i64::from));
        self.fetch_jobs(query).await
    }

    /// The jobs a query selects, in its order.
    pub(super) async fn fetch_jobs(&self, query: JobQuery<'_>) -> Result<Vec<Job>> {
        let rows = query.fetch_all(&self.pool).await.db(self)?;
        rows.into_iter().map(Job::try_from).collect()
    }

    /// The changes of a job's state, oldest first.
    pub async fn events(&self, id: &str) -> Result<Vec<JobEvent>> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT at, state, detail FROM job_events WHERE job_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .db(self)?;
        rows.into_iter()
            .map(|(at, state, detail)| {
                Ok(JobEvent {
                    at: from_ms(at),
                    state: stored_state(id, "job_events.state", &state)?,
                    detail,
                })
            })
            .collect()
    }
}
