//! What every new job and every change of state writes: a new job's id, and the event
//! that records the change.

use sqlx::AnyConnection;

use crate::state::JobState;
use crate::time::now_ms;

/// Records that job `id` became `state` (with `detail`, e.g. why), in the transaction of
/// the change.
pub(super) async fn event(
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

/// A new job id: the time in milliseconds and 32 random bits, in hex (ids sort by time).
pub(super) fn new_job_id() -> String {
    format!("{:011x}{:08x}", now_ms(), fastrand::u32(..))
}
