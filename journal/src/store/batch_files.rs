//! The batch files a run recorded, by a digest of their bytes (and of whatever else gives
//! their lines their keys, which the caller folds in): a status of a file run before reads
//! its batch here instead of reading and checking a million lines again.

use super::{Db, Journal};
use crate::error::Result;

/// What a run found in a batch file: its batch and its line counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFileSeen {
    /// The batch its valid lines make.
    pub batch_id: String,
    /// The lines read, valid or not.
    pub lines: u64,
    /// The invalid ones (a run with `--skip-invalid` left them out).
    pub invalid: u64,
    /// The batch's lines: one key each.
    pub keys: u64,
}

/// A count as the databases keep it.
fn signed(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// A count as the databases gave it.
fn unsigned(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

impl Journal {
    /// Remembers that the file of digest `digest` makes the batch `seen` (replacing what
    /// was remembered of it: the same bytes and options always make the same batch).
    pub async fn remember_batch_file(&self, digest: &str, seen: &BatchFileSeen) -> Result<()> {
        sqlx::query(
            "INSERT INTO batch_files (digest, batch_id, lines, invalid, keys) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (digest) DO UPDATE SET \
             batch_id = $2, lines = $3, invalid = $4, keys = $5",
        )
        .bind(digest)
        .bind(&seen.batch_id)
        .bind(signed(seen.lines))
        .bind(signed(seen.invalid))
        .bind(signed(seen.keys))
        .execute(&self.pool)
        .await
        .db(self)?;
        Ok(())
    }

    /// The batch a run found in the file of digest `digest`, if one did and the batch is
    /// still in the journal.
    pub async fn batch_file(&self, digest: &str) -> Result<Option<BatchFileSeen>> {
        let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT f.batch_id, f.lines, f.invalid, f.keys FROM batch_files f \
             JOIN batches b ON b.id = f.batch_id WHERE f.digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .db(self)?;
        Ok(row.map(|(batch_id, lines, invalid, keys)| BatchFileSeen {
            batch_id,
            lines: unsigned(lines),
            invalid: unsigned(invalid),
            keys: unsigned(keys),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_found_by_its_digest_while_its_batch_is_in_the_journal() {
        let journal = Journal::in_memory().await.unwrap();
        let seen = BatchFileSeen {
            batch_id: "b1".into(),
            lines: 10,
            invalid: 2,
            keys: 8,
        };
        journal.remember_batch_file("d1", &seen).await.unwrap();
        // Its batch is not recorded: nothing to report on.
        assert_eq!(journal.batch_file("d1").await.unwrap(), None);
        journal.record_batch_row("list", "b1", 8).await.unwrap();
        assert_eq!(journal.batch_file("d1").await.unwrap(), Some(seen.clone()));
        assert_eq!(journal.batch_file("d2").await.unwrap(), None);
        let again = BatchFileSeen { lines: 11, ..seen };
        journal.remember_batch_file("d1", &again).await.unwrap();
        assert_eq!(journal.batch_file("d1").await.unwrap(), Some(again));
    }
}
