//! Claims on one Postgres journal shared by three workers: `FOR UPDATE SKIP LOCKED` on the
//! index of unfinished jobs gives each job to exactly one of them.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use serde_json::json;
use videohub_journal::{Journal, NewJob, Owner, batch_id, line_keys};

/// The Postgres server of the tests: `VIDEOHUB_TEST_POSTGRES_URL`, or else the throwaway one
/// `scripts/test-postgres.sh` starts (installing Debian's postgresql package when missing);
/// a database of its own for this test. `VIDEOHUB_SKIP_POSTGRES_TESTS=1` leaves it out.
fn postgres_database(name: &str) -> Option<String> {
    if std::env::var("VIDEOHUB_SKIP_POSTGRES_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: VIDEOHUB_SKIP_POSTGRES_TESTS=1");
        return None;
    }
    let url = match std::env::var("VIDEOHUB_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-postgres.sh");
            let started = Command::new(&script)
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
            assert!(
                started.status.success(),
                "this test needs a Postgres server and {} could not start one: {}\n\
                 install Debian's postgresql package (`apt-get install postgresql`), or point \
                 VIDEOHUB_TEST_POSTGRES_URL at a server, or set VIDEOHUB_SKIP_POSTGRES_TESTS=1",
                script.display(),
                String::from_utf8_lossy(&started.stderr)
            );
            String::from_utf8_lossy(&started.stdout).trim().to_owned()
        }
    };
    let database = format!("{name}_{}", std::process::id());
    for statement in [
        format!("DROP DATABASE IF EXISTS {database}"),
        format!("CREATE DATABASE {database}"),
    ] {
        let admin = Command::new("psql")
            .arg(&url)
            .args(["-v", "ON_ERROR_STOP=1", "-c", &statement])
            .output()
            .expect("psql, from Debian's postgresql-client package");
        assert!(admin.status.success(), "{admin:?}");
    }
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    Some(format!("{base}/{database}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_workers_claim_every_job_once() {
    let Some(url) = postgres_database("claims") else {
        return;
    };
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    let jobs: Vec<NewJob> = (0..120)
        .map(|i| {
            let input = json!({"prompt": format!("shot {i}")});
            let input = input.as_object().cloned().unwrap_or_default();
            NewJob::new("http://127.0.0.1:1", veo, input, format!("{i}.mp4"))
        })
        .collect();
    let keys = line_keys(&jobs);
    let batch = batch_id(&keys);
    let first = Journal::open_store(&url).await.unwrap();
    assert_eq!(
        first.record_batch("b", &batch, &jobs, &keys).await.unwrap(),
        120
    );
    // Each worker has its own pool and claims with 8 tasks at once.
    let mut claimers = Vec::new();
    for _ in 0..3 {
        let journal = Journal::open_store(&url).await.unwrap();
        for _ in 0..8 {
            let (journal, batch) = (journal.clone(), batch.clone());
            claimers.push(tokio::spawn(async move {
                let owner = Owner::this_process();
                let mut claimed = Vec::new();
                while let Some(job) = journal.claim_next(&batch, &[], &owner).await.unwrap() {
                    claimed.push(job.id);
                }
                claimed
            }));
        }
    }
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 120, "every job claimed once");
    assert_eq!(unique.len(), 120, "no job claimed twice");
    let owner = Owner::this_process();
    assert!(
        first
            .claim_next(&batch, &[], &owner)
            .await
            .unwrap()
            .is_none()
    );
}
