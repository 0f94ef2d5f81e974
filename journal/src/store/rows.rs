//! Rows as the database stores them, and what they mean: a job's row becomes a [`Job`]
//! only when every value decodes; one that does not is an error naming the job and the
//! column, never a panic.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::job::Job;
use crate::state::JobState;
use crate::time::from_ms;

/// A row of `jobs` as stored (`SELECT *`: the columns a [`Job`] does not show are left
/// out).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct JobRow {
    id: String,
    hub: String,
    model: String,
    endpoint: String,
    input: String,
    output_path: String,
    state: String,
    task_id: Option<String>,
    result: Option<String>,
    error: Option<String>,
    file_path: Option<String>,
    file_size: Option<i64>,
    sha256: Option<String>,
    task_elapsed_ms: Option<i64>,
    submits: i64,
    owner: Option<String>,
    part_path: Option<String>,
    reused_from: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = Error;

    fn try_from(row: JobRow) -> Result<Job> {
        let id = row.id;
        let bad = |column: &str, message: String| Error::BadColumn {
            id: id.clone(),
            column: column.to_owned(),
            message,
        };
        let input: Map<String, Value> =
            serde_json::from_str(&row.input).map_err(|e| bad("input", e.to_string()))?;
        let state = stored_state(&id, "state", &row.state)?;
        let result = row
            .result
            .map(|text| serde_json::from_str::<Value>(&text))
            .transpose()
            .map_err(|e| bad("result", e.to_string()))?;
        let file_size = row
            .file_size
            .map(|size| {
                u64::try_from(size).map_err(|_| bad("file_size", format!("{size} is negative")))
            })
            .transpose()?;
        let task_duration = row
            .task_elapsed_ms
            .map(|ms| {
                u64::try_from(ms)
                    .map(Duration::from_millis)
                    .map_err(|_| bad("task_elapsed_ms", format!("{ms} is negative")))
            })
            .transpose()?;
        let submits = u32::try_from(row.submits).map_err(|_| {
            bad(
                "submits",
                format!("{} is not a count of submits", row.submits),
            )
        })?;
        Ok(Job {
            hub: row.hub,
            model: row.model,
            endpoint: row.endpoint,
            input,
            output_path: PathBuf::from(row.output_path),
            state,
            task_id: row.task_id,
            result,
            error: row.error,
            file_path: row.file_path.map(PathBuf::from),
            file_size,
            sha256: row.sha256,
            task_duration,
            submits,
            owner: row.owner,
            part_file: row.part_path.map(PathBuf::from),
            reused_from: row.reused_from,
            created_at: from_ms(row.created_at),
            updated_at: from_ms(row.updated_at),
            id,
        })
    }
}

/// The state stored as `text` in `column` of a row of job `id`.
pub(super) fn stored_state(id: &str, column: &str, text: &str) -> Result<JobState> {
    text.parse()
        .map_err(|e: crate::state::UnknownState| Error::BadColumn {
            id: id.to_owned(),
            column: column.to_owned(),
            message: e.to_string(),
        })
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
    use serde_json::Map;

    use super::*;
    use crate::job::{JobFilter, NewJob};
    use crate::owner::Owner;
    use crate::store::Journal;

    #[tokio::test]
    async fn a_stored_value_that_does_not_read_is_an_error_naming_its_job_and_column() {
        let journal = Journal::in_memory().await.unwrap();
        let new = NewJob {
            hub: "http://127.0.0.1:1".into(),
            model: "veo-3.1".into(),
            endpoint: "/hub/v1/video".into(),
            input: Map::new(),
            output_path: "out.mp4".into(),
        };
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
            sqlx::query(&format!("UPDATE jobs SET {good}"))
                .execute(journal.pool())
                .await
                .unwrap();
            sqlx::query(&format!("UPDATE jobs SET {damage}"))
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
        sqlx::query(&format!("UPDATE jobs SET {good}"))
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
