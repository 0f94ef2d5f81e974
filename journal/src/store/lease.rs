//! Who works on a job: leases taken, renewed and given up, and those of gone processes
//! released.

use super::{Db, Journal};
use crate::error::Result;
use crate::owner::{self, LEASE, Owner};
use crate::time::now_ms;

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

    /// Takes the lease of job `id` for `owner`, when nobody else holds it: no owner, an
    /// expired lease, or an owner whose process is gone. `false` when another process holds
    /// it.
    pub async fn claim(&self, id: &str, owner: &Owner) -> Result<bool> {
        let job = self.job(id).await?;
        let gone_owner = job.owner.as_deref().filter(|o| owner::is_gone(o));
        let now = now_ms();
        let claimed = sqlx::query(
            "UPDATE jobs SET owner = $1, lease_until = $2 WHERE id = $3 \
             AND (owner IS NULL OR owner = $1 OR lease_until < $4 OR owner = $5)",
        )
        .bind(owner.as_str())
        .bind(now + lease_ms())
        .bind(&job.id)
        .bind(now)
        .bind(gone_owner)
        .execute(&self.pool)
        .await
        .db(self)?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Extends `owner`'s lease of job `id`.
    pub async fn renew(&self, id: &str, owner: &Owner) -> Result<()> {
        sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND owner = $3")
            .bind(now_ms() + lease_ms())
            .bind(id)
            .bind(owner.as_str())
            .execute(&self.pool)
            .await
            .db(self)?;
        Ok(())
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
}

pub(super) fn lease_ms() -> i64 {
    i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}
