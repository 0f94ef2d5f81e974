//! The whole journal at a glance, for a fleet's metrics: how many jobs are in each state,
//! and since when the oldest unfinished one waits, whichever process holds them.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::batch::parse_state;
use super::sql::OPEN;
use super::{Db, Journal};
use crate::error::Result;
use crate::state::JobState;
use crate::time::from_ms;

/// Every job of a journal by state, and the oldest unfinished one's age.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fleet {
    /// Jobs per state (the states no job is in are left out).
    pub states: BTreeMap<JobState, usize>,
    /// When the oldest unfinished job was recorded; `None` when every job is final.
    pub oldest_unfinished: Option<SystemTime>,
}

impl Journal {
    /// How many jobs each state holds, and when the oldest unfinished job was recorded:
    /// two reads of the state index, whichever processes hold the jobs.
    pub async fn fleet(&self) -> Result<Fleet> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
                .fetch_all(&self.pool)
                .await
                .db(self)?;
        let mut fleet = Fleet::default();
        for (state, count) in rows {
            let state = parse_state(self.location(), &state)?;
            fleet
                .states
                .insert(state, usize::try_from(count).unwrap_or(0));
        }
        // `OPEN` is a constant of this crate's.
        let oldest_sql = format!("SELECT MIN(created_at) FROM jobs WHERE {OPEN}");
        let oldest: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(&*oldest_sql))
            .fetch_one(&self.pool)
            .await
            .db(self)?;
        fleet.oldest_unfinished = oldest.map(from_ms);
        Ok(fleet)
    }
}
