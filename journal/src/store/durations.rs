//! The task durations learned per hub and model, which teach a client its poll schedule.

use std::time::Duration;

use videohub::TaskDurations;

use super::{Db, Journal};
use crate::error::Result;
use crate::time::now_ms;

/// Durations kept per model when loading them: the poller fits the last 32.
const DURATIONS_PER_MODEL: i64 = 32;

impl Journal {
    /// Remembers that a task of `model` on `hub` took `duration`.
    pub async fn record_duration(&self, hub: &str, model: &str, duration: Duration) -> Result<()> {
        sqlx::query("INSERT INTO task_durations (hub, model, seconds, at) VALUES ($1, $2, $3, $4)")
            .bind(hub)
            .bind(model)
            .bind(duration.as_secs_f64())
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(())
    }

    /// The last 32 task durations of each model on `hub`, oldest first, to load into a
    /// client with [`Client::remember_task_durations`](videohub::Client::remember_task_durations).
    pub async fn task_durations(&self, hub: &str) -> Result<TaskDurations> {
        let rows: Vec<(String, f64)> = sqlx::query_as(
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
        .db(self)?;
        let mut durations = TaskDurations::default();
        for (model, seconds) in rows {
            if let Ok(duration) = Duration::try_from_secs_f64(seconds) {
                durations.record(&model, duration);
            }
        }
        Ok(durations)
    }
}
