//! What the journal's tests share: running one check on a journal of each database, and
//! runners of a sandbox that poll it often.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use videohub::{Client, ClientBuilder, PollPolicy};
use videohub_journal::{Journal, Runner};
use videohub_sandbox::SandboxHandle;
use videohub_tests::postgres_database;

/// A client of the sandbox `hub`, to build.
pub(crate) fn client(hub: &SandboxHandle) -> ClientBuilder {
    Client::builder().api_key("sandbox").base_url(hub.url())
}

/// A runner of `journal` with the client `client` builds, polling every 20 to 50 ms.
pub(crate) fn runner(journal: &Journal, client: ClientBuilder) -> Runner {
    Runner::new(journal.clone(), client.build().unwrap()).poll_policy(
        PollPolicy::default()
            .initial_delay(Duration::from_millis(20))
            .max_interval(Duration::from_millis(50)),
    )
}

/// Runs `check` on a new journal of each database the journal keeps jobs in: a SQLite
/// file, then a Postgres database of its own named after `name` (left out when
/// `VIDEOHUB_SKIP_POSTGRES_TESTS=1`), each with a new folder for the check's files.
pub(crate) async fn on_each_store<F, Fut>(name: &str, check: F)
where
    F: Fn(Journal, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite = tempfile::tempdir().unwrap();
    let journal = Journal::open(sqlite.path().join("j.sqlite3"))
        .await
        .unwrap();
    check(journal, sqlite.path().to_path_buf()).await;
    if let Some(url) = postgres_database(name) {
        let files = tempfile::tempdir().unwrap();
        let journal = Journal::open_store(&url).await.unwrap();
        eprintln!("the same check on {}", journal.location());
        check(journal, files.path().to_path_buf()).await;
    }
}
