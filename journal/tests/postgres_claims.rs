//! Claims on one Postgres journal shared by three workers: `FOR UPDATE SKIP LOCKED` on the
//! index of unfinished jobs gives each job to exactly one of them.

use std::collections::HashSet;
use std::path::Path;

use serde_json::json;
use videohub_journal::{Journal, NewJob, Owner, batch_id, line_keys};
use videohub_tests::postgres_database;

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
    let keys = line_keys(&jobs, Path::new(""));
    let batch = batch_id(&keys);
    let first = Journal::open_store(&url).await.unwrap();
    assert_eq!(
        first
            .record_batch("b", &batch, Path::new(""), &jobs, &keys)
            .await
            .unwrap(),
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
                while let Some(job) = journal
                    .claim_next(&batch, &[], &owner, Path::new(""))
                    .await
                    .unwrap()
                {
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
            .claim_next(&batch, &[], &owner, Path::new(""))
            .await
            .unwrap()
            .is_none()
    );
}
