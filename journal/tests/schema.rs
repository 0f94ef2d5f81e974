//! The schema of a new SQLite journal and of a new Postgres journal are the same: the same
//! tables, columns (by name and nullability: the types are each database's own), primary
//! keys, unique columns and indexes (by name, columns and whether partial).

use std::collections::BTreeSet;

use sqlx::{Connection, PgConnection, SqliteConnection};
use videohub_journal::Journal;
use videohub_tests::postgres_database;

/// What the journal's own bookkeeping adds besides its tables: not part of the schema.
const BOOKKEEPING: [&str; 2] = ["_sqlx_migrations", "videohub_schema"];

/// A schema, as comparable lines: `column jobs.id not null`, `index jobs_state on jobs
/// (state)`, `unique jobs (line_key)`, `primary key jobs (id)`.
type Schema = BTreeSet<String>;

async fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    for table in tables.iter().filter(|t| !BOOKKEEPING.contains(&t.as_str())) {
        schema.insert(format!("table {table}"));
        let columns: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let mut primary: Vec<(i64, String)> = Vec::new();
        for (name, not_null, pk) in columns {
            // A primary key is never NULL in Postgres; SQLite only says so of an INTEGER one.
            let null = if not_null == 1 || pk > 0 {
                "not null"
            } else {
                "null"
            };
            schema.insert(format!("column {table}.{name} {null}"));
            if pk > 0 {
                primary.push((pk, name));
            }
        }
        primary.sort();
        let primary: Vec<String> = primary.into_iter().map(|(_, name)| name).collect();
        schema.insert(format!("primary key {table} ({})", primary.join(", ")));
        let indexes: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT name, origin, partial FROM pragma_index_list($1)")
                .bind(table)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        for (index, origin, partial) in indexes {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
            let columns = columns.join(", ");
            match origin.as_str() {
                "u" => schema.insert(format!("unique {table} ({columns})")),
                "pk" => false,
                _ => schema.insert(format!(
                    "index {index} on {table} ({columns}){}",
                    if partial == 1 { " partial" } else { "" }
                )),
            };
        }
    }
    schema
}

async fn postgres_schema(conn: &mut PgConnection) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    for table in tables.iter().filter(|t| !BOOKKEEPING.contains(&t.as_str())) {
        schema.insert(format!("table {table}"));
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, is_nullable::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        for (name, nullable) in columns {
            let null = if nullable == "YES" {
                "null"
            } else {
                "not null"
            };
            schema.insert(format!("column {table}.{name} {null}"));
        }
        // Every index of the table with its columns in order: whether it is the primary
        // key, backs a unique constraint, or was created by name, and whether it is partial.
        let indexes: Vec<(String, bool, bool, bool, String)> = sqlx::query_as(
            "SELECT i.relname::text, x.indisprimary, \
               EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u'), \
               x.indpred IS NOT NULL, \
               (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                  FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        for (index, primary, unique, partial, columns) in indexes {
            if primary {
                schema.insert(format!("primary key {table} ({columns})"));
            } else if unique {
                schema.insert(format!("unique {table} ({columns})"));
            } else {
                schema.insert(format!(
                    "index {index} on {table} ({columns}){}",
                    if partial { " partial" } else { "" }
                ));
            }
        }
    }
    schema
}

#[tokio::test]
async fn a_new_sqlite_journal_and_a_new_postgres_journal_have_the_same_schema() {
    let Some(url) = postgres_database("schema") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite3");
    Journal::open(&path).await.unwrap();
    Journal::open_store(&url).await.unwrap();
    let mut sqlite = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mut postgres = PgConnection::connect(&url).await.unwrap();
    let sqlite = sqlite_schema(&mut sqlite).await;
    let postgres = postgres_schema(&mut postgres).await;
    for schema in [&sqlite, &postgres] {
        for line in [
            "table jobs",
            "column jobs.id not null",
            "column jobs.request_digest null",
            "primary key jobs (id)",
            "primary key job_events (id)",
            "unique jobs (line_key)",
            "index jobs_batch_open on jobs (batch_id, created_at, id) partial",
            "index jobs_request_digest on jobs (request_digest, state)",
        ] {
            assert!(schema.contains(line), "{line}: {schema:#?}");
        }
    }
    let only_sqlite: Vec<&String> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<&String> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in Postgres: {only_postgres:#?}"
    );
}
