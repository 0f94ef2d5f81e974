//! Who works on a job: leases taken, renewed and given up, and those of gone processes
//! released. Every lease is set and judged on the database's clock
//! ([`Location::now_ms`](super::connect::Location::now_ms)), never on a worker's.

use super::{Db, Journal};
use crate::error::Result;
use crate::owner::{self, LEASE, Owner};

impl Journal {
    /// Lets go of the jobs held by processes of this host that are gone, so that a batch
    /// run takes them over at once (on other hosts, their leases run out). Reads only the
    /// held jobs (index `jobs_owner`).
    pub async fn release_gone_owners(&self) -> Result<()> {
        let owners: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT owner FROM jobs WHERE owner IS NOT NULL")
                .fetch_all(&self.pool)
                .await
                .db(self)?;
        for gone in owners.iter().filter(|o| owner::is_gone(o)) {
            sqlx::query("UPDATE jobs SET owner = NULL, lease_until = NULL WHERE owner = $1")
                .bind(gone)
                .execute(&self.pool)
                .await
                .db(self)?;
        }
        Ok(())
    }

    /// Takes the lease of job `id` for `owner`, when nobody else holds it: no owner, a
    /// lease run out, or an owner whose process is gone. `false` when another process holds
    /// it.
    pub async fn claim(&self, id: &str, owner: &Owner) -> Result<bool> {
        let job = self.job(id).await?;
        let gone_owner = job.owner.as_deref().filter(|o| owner::is_gone(o));
        let sql = format!(
            "UPDATE jobs SET owner = $1, lease_until = {until} WHERE id = $2 \
             AND (owner IS NULL OR owner = $1 OR ({expired}) OR owner = $3)",
            until = self.lease_until(),
            expired = self.location.lease_expired(),
        );
        let claimed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.as_str())
            .bind(&job.id)
            .bind(gone_owner)
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Extends `owner`'s lease of job `id` by a whole [`LEASE`]. `false` when `owner` no
    /// longer holds it: the lease ran out and another process took the job, or let it go.
    /// The holder must then stop driving the job at once.
    pub async fn renew(&self, id: &str, owner: &Owner) -> Result<bool> {
        let sql = format!(
            "UPDATE jobs SET lease_until = {} WHERE id = $1 AND owner = $2",
            self.lease_until()
        );
        let renewed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(owner.as_str())
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(renewed.rows_affected() == 1)
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
        .db(self)?;
        Ok(())
    }

    /// The end of a lease taken now, as an SQL expression on the database's clock.
    pub(super) fn lease_until(&self) -> String {
        format!("{} + {}", self.location.now_ms(), lease_ms())
    }
}

/// A [`LEASE`] in milliseconds.
pub(super) fn lease_ms() -> i64 {
    i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}
