//! Opening a journal: its database (a SQLite file, or a Postgres server shared by several
//! workers), the schema, and database errors as the journal's errors.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::error::{Error, Result};
use crate::request::stored_digest;

/// How long a write waits for another process's write to end before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a call waits for a connection to a Postgres server: past that, the server is
/// reported out of reach ([`Error::Unreachable`]) rather than waited on in silence.
const CONNECT_WAIT: Duration = Duration::from_secs(5);

// The schema, one step per version: a journal at version `n` has had the first `n`
// applied. `SQLITE` and `POSTGRES`, listed from `migrations/` by the build script.
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
const _: () = assert!(SQLITE.len() == POSTGRES.len(), "a step for each database");

/// Which database holds the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// Where a journal lives, as given: a file, `:memory:`, or a `postgres://` URL.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub(crate) dialect: Dialect,
    /// What the driver connects to.
    url: String,
    /// What errors and listings show: the path, or the URL without its password.
    pub(crate) shown: String,
    pub(crate) pool_size: u32,
}

impl Location {
    pub(crate) fn file(path: &Path) -> Location {
        let text = path.to_string_lossy();
        let mut url = String::from("sqlite://");
        for c in text.chars() {
            match c {
                '%' => url.push_str("%25"),
                '?' => url.push_str("%3F"),
                '#' => url.push_str("%23"),
                c => url.push(c),
            }
        }
        url.push_str("?mode=rwc");
        Location {
            dialect: Dialect::Sqlite,
            url,
            shown: text.into_owned(),
            pool_size: 1,
        }
    }

    pub(crate) fn memory() -> Location {
        Location {
            dialect: Dialect::Sqlite,
            url: "sqlite::memory:".into(),
            shown: ":memory:".into(),
            pool_size: 1,
        }
    }

    pub(crate) fn postgres(url: &str) -> Location {
        let shown = match url::Url::parse(url) {
            Ok(mut parsed) => {
                if parsed.password().is_some() {
                    let _ = parsed.set_password(Some("***"));
                }
                parsed.to_string()
            }
            Err(_) => "a postgres URL that does not parse".to_owned(),
        };
        Location {
            dialect: Dialect::Postgres,
            url: url.to_owned(),
            shown,
            pool_size: 16,
        }
    }

    /// The database file, for a SQLite journal on disk.
    pub(crate) fn database_file(&self) -> Option<std::path::PathBuf> {
        (self.dialect == Dialect::Sqlite && self.url != "sqlite::memory:")
            .then(|| std::path::PathBuf::from(&self.shown))
    }

    /// What ends a query that picks a row to claim: Postgres skips rows other workers are
    /// claiming; SQLite has one writer at a time anyway.
    pub(crate) fn row_lock(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// The database's clock, in milliseconds since the Unix epoch, as an SQL expression:
    /// every lease is set and judged on it, never on a worker's own clock, so workers whose
    /// clocks disagree still agree on whose lease ran out.
    pub(crate) fn now_ms(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)",
        }
    }

    /// The condition of a lease that ran out, on the database's clock. On Postgres a lease
    /// also lasts at least [`LEASE`](crate::LEASE) from the server's start: a server that
    /// was down or restarting renewed no lease, and the workers holding them get a whole
    /// lease to come back before others may take their jobs.
    pub(crate) fn lease_expired(&self) -> String {
        let now = self.now_ms();
        match self.dialect {
            Dialect::Sqlite => format!("lease_until < {now}"),
            Dialect::Postgres => format!(
                "lease_until < {now} AND {now} > \
                 CAST(EXTRACT(EPOCH FROM pg_postmaster_start_time()) * 1000 AS BIGINT) + {lease}",
                lease = super::lease::lease_ms()
            ),
        }
    }

    /// A subquery of the texts of the JSON array bound as `param`, e.g. a list of ids for
    /// `id NOT IN (…)`: the list is one bound value, whatever its length.
    pub(crate) fn json_list(&self, param: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("SELECT value FROM json_each({param})"),
            Dialect::Postgres => format!("SELECT json_array_elements_text({param}::json)"),
        }
    }

    /// Connects a pool and brings the schema up to date.
    pub(crate) async fn connect(&self, busy_timeout: Duration) -> Result<AnyPool> {
        let err = |e| self.error(busy_timeout, e);
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = self.url.parse().map_err(err)?;
        // One connection first, so that a damaged file or a refused login is reported as
        // what it is (the pool would keep retrying until its timeout).
        let mut first = AnyConnection::connect_with(&options).await.map_err(err)?;
        let dialect = self.dialect;
        prepare(&mut first, dialect, busy_timeout)
            .await
            .map_err(err)?;
        first.close().await.map_err(err)?;
        let pool = AnyPoolOptions::new()
            .max_connections(self.pool_size)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(match dialect {
                Dialect::Sqlite => busy_timeout * 2,
                Dialect::Postgres => CONNECT_WAIT,
            })
            .after_connect(move |conn, _| Box::pin(prepare(conn, dialect, busy_timeout)))
            .connect_with(options)
            .await
            .map_err(err)?;
        let mut conn = pool.acquire().await.map_err(err)?;
        self.migrate(&mut conn, busy_timeout).await?;
        self.fill_digests(&mut conn, busy_timeout).await?;
        drop(conn);
        Ok(pool)
    }

    /// Applies the missing schema steps in one transaction that excludes every other
    /// process doing the same (SQLite's write lock, a Postgres advisory lock), so that
    /// processes opening a new journal at once apply each step exactly once.
    async fn migrate(&self, conn: &mut AnyConnection, busy_timeout: Duration) -> Result<()> {
        let err = |e| self.error(busy_timeout, e);
        let steps: &[&str] = match self.dialect {
            Dialect::Sqlite => &SQLITE,
            Dialect::Postgres => &POSTGRES,
        };
        let known = steps.len() as i64;
        if self.dialect == Dialect::Sqlite {
            // Up to date (the common case): no write lock is taken, readers never wait.
            let found: i64 = sqlx::query_scalar("PRAGMA user_version")
                .fetch_one(&mut *conn)
                .await
                .map_err(err)?;
            if found == known {
                return Ok(());
            }
        }
        match self.dialect {
            Dialect::Sqlite => conn.execute("BEGIN IMMEDIATE").await.map_err(err)?,
            Dialect::Postgres => {
                conn.execute("BEGIN").await.map_err(err)?;
                conn.execute(
                    "SELECT pg_advisory_xact_lock(7402130522); \
                     CREATE TABLE IF NOT EXISTS videohub_schema (version BIGINT NOT NULL)",
                )
                .await
                .map_err(err)?
            }
        };
        let migrated = async {
            let found: i64 = match self.dialect {
                Dialect::Sqlite => sqlx::query_scalar("PRAGMA user_version")
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(err)?,
                Dialect::Postgres => {
                    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM videohub_schema")
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(err)?
                }
            };
            if found > known {
                return Err(Error::NewerSchema {
                    journal: self.shown.clone(),
                    found,
                    known,
                });
            }
            for (version, sql) in (1..).zip(steps).skip(usize::try_from(found).unwrap_or(0)) {
                conn.execute(*sql).await.map_err(err)?;
                let mark = match self.dialect {
                    Dialect::Sqlite => format!("PRAGMA user_version = {version}"),
                    Dialect::Postgres => format!(
                        "DELETE FROM videohub_schema; INSERT INTO videohub_schema VALUES ({version})"
                    ),
                };
                conn.execute(sqlx::AssertSqlSafe(mark)).await.map_err(err)?;
            }
            Ok(())
        }
        .await;
        let end = if migrated.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = conn.execute(end).await;
        migrated?;
        ended.map_err(err)?;
        Ok(())
    }

    /// Gives the jobs recorded before request digests were kept (schema 4) theirs, in
    /// transactions of a thousand rows. Every job recorded since has one, so once done this
    /// is one look-up in the digest index that finds nothing.
    async fn fill_digests(&self, conn: &mut AnyConnection, busy_timeout: Duration) -> Result<()> {
        let err = |e| self.error(busy_timeout, e);
        loop {
            let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT id, hub, model, endpoint, input FROM jobs \
                 WHERE request_digest IS NULL LIMIT 1000",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(err)?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = conn.begin().await.map_err(err)?;
            for (id, hub, model, endpoint, input) in &rows {
                sqlx::query("UPDATE jobs SET request_digest = $1 WHERE id = $2")
                    .bind(stored_digest(hub, model, endpoint, input))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            }
            tx.commit().await.map_err(err)?;
        }
    }

    /// A database error as the journal's error, naming the journal.
    pub(crate) fn error(&self, busy_timeout: Duration, error: sqlx::Error) -> Error {
        let journal = self.shown.clone();
        if self.dialect == Dialect::Postgres
            && let Some(message) = unreachable(&error)
        {
            return Error::Unreachable { journal, message };
        }
        if let sqlx::Error::Database(db) = &error {
            let code = db.code().unwrap_or_default().into_owned();
            match (self.dialect, sqlite_primary(db.as_ref()), code.as_str()) {
                (Dialect::Sqlite, Some(5 | 6), _) | (Dialect::Postgres, _, "55P03") => {
                    return Error::Locked {
                        journal,
                        seconds: busy_timeout.as_secs(),
                    };
                }
                (Dialect::Sqlite, Some(11 | 26), _) => {
                    return Error::Corrupt {
                        journal,
                        message: db.message().to_owned(),
                    };
                }
                (Dialect::Sqlite, Some(13), _) | (Dialect::Postgres, _, "53100") => {
                    return Error::DiskFull { journal };
                }
                _ => {}
            }
        }
        if let sqlx::Error::PoolTimedOut = error {
            return Error::Locked {
                journal,
                seconds: busy_timeout.as_secs(),
            };
        }
        Error::Storage {
            journal,
            message: error.to_string(),
        }
    }
}

/// Why a Postgres server is out of reach, when `error` says it is: no connection could be
/// made or kept (refused, reset, cut), none came within [`CONNECT_WAIT`], or the server is
/// shutting down, starting up or out of connections.
fn unreachable(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => {
            Some(error.to_string())
        }
        sqlx::Error::PoolTimedOut => Some(format!(
            "no connection to the server within {} s: it is down, restarting or out of reach",
            CONNECT_WAIT.as_secs()
        )),
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Class 08: connection exceptions; 57P01-57P03: the server is shutting down or
            // starting; 53300: too many connections.
            (code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300"))
                .then(|| db.message().to_owned())
        }
        _ => None,
    }
}

/// The settings of every connection: for SQLite, the busy timeout, foreign keys, synced
/// commits and write-ahead logging.
async fn prepare(
    conn: &mut AnyConnection,
    dialect: Dialect,
    busy_timeout: Duration,
) -> sqlx::Result<()> {
    if dialect == Dialect::Sqlite {
        // The busy timeout first: switching to WAL may wait for another writer.
        let busy = format!("PRAGMA busy_timeout = {}", busy_timeout.as_millis());
        conn.execute(sqlx::AssertSqlSafe(busy)).await?;
        conn.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL")
            .await?;
        // Switching needs a lock: done once, by the first process, not by every connection.
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            switch_to_wal(conn, busy_timeout).await?;
        }
    }
    Ok(())
}

/// Switches a new SQLite journal to write-ahead logging. The switch needs the file to
/// itself, and SQLite refuses it at once (without its busy timeout) while another process
/// is opening the same new file, so it is tried again until the busy timeout has passed.
async fn switch_to_wal(conn: &mut AnyConnection, busy_timeout: Duration) -> sqlx::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.execute("PRAGMA journal_mode = WAL").await {
            Err(sqlx::Error::Database(db))
                if is_busy(db.as_ref()) && started.elapsed() < busy_timeout =>
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            done => return done.map(drop),
        }
    }
}

/// Whether a SQLite error is `SQLITE_BUSY` or `SQLITE_LOCKED` (any extended code).
fn is_busy(error: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(sqlite_primary(error), Some(5 | 6))
}

/// The primary result code of a SQLite error (its extended code's low byte), e.g. 5 for
/// `SQLITE_BUSY`; `None` for an error without a numeric code (Postgres's are text).
fn sqlite_primary(error: &dyn sqlx::error::DatabaseError) -> Option<i32> {
    let code = error.code()?;
    code.parse::<i32>().ok().map(|c| c & 0xff)
}
