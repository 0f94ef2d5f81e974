//! The journal and its runner against an in-process sandbox hub, on SQLite and on Postgres,
//! and against damaged, locked and newer SQLite databases.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};
use sqlx::Connection;
use videohub::Client;
use videohub_journal::{Error, JobFilter, JobState, Journal, NewJob};
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration};

mod common;
use common::{client, on_each_store, runner};

/// A sandbox with these faults (`""` for none).
async fn sandbox(faults: &str) -> SandboxHandle {
    let faults = if faults.is_empty() {
        FaultSpec::none()
    } else {
        faults.parse::<FaultSpec>().unwrap()
    };
    Sandbox::builder()
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .faults(faults)
        .start()
        .await
        .unwrap()
}

fn new_job(hub: &SandboxHandle, model: &str, output: &Path) -> NewJob {
    let input: Map<String, Value> = json!({"prompt": "a red fox in snow"})
        .as_object()
        .cloned()
        .unwrap();
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    // Any model id, also one the hub does not have, on the video endpoint.
    NewJob {
        model: model.to_owned(),
        ..NewJob::new(hub.url(), veo, input, output)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn a_job_is_recorded_through_every_step_and_its_file_checked() {
    on_each_store("every_step", |journal, dir| async move {
        let hub = sandbox("").await;
        let runner = runner(&journal, client(&hub));
        let template = dir.as_path().join("{model}-{task_id}.mp4");
        let mut steps = Vec::new();
        let job = runner
            .run(new_job(&hub, "veo-3.1", &template), |step| {
                steps.push(
                    format!("{step:?}")
                        .split(['(', ' '])
                        .next()
                        .unwrap()
                        .to_owned(),
                )
            })
            .await
            .unwrap();
        assert_eq!(job.state, JobState::Downloaded);
        let task_id = job.task_id.clone().unwrap();
        let file = job.file_path.clone().unwrap();
        assert_eq!(file, dir.as_path().join(format!("veo-3.1-{task_id}.mp4")));
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(job.file_size, Some(bytes.len() as u64));
        assert_eq!(job.sha256.as_deref(), Some(sha256_hex(&bytes).as_str()));
        assert_eq!(job.submits, 1);
        assert_eq!(job.owner, None, "let go once finished");
        assert_eq!(steps.first().map(String::as_str), Some("Submitting"));
        assert_eq!(steps.last().map(String::as_str), Some("Downloading"));

        let events: Vec<JobState> = journal
            .events(&job.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.state)
            .collect();
        assert_eq!(
            events,
            [
                JobState::Pending,
                JobState::Submitting,
                JobState::Submitted,
                JobState::Completed,
                JobState::Downloaded
            ]
        );
        let durations = journal.task_durations(hub.url()).await.unwrap();
        let veo: Vec<Duration> = durations
            .iter()
            .find(|(model, _)| *model == "veo-3.1")
            .map(|(_, d)| d.collect())
            .unwrap();
        assert_eq!(veo.len(), 1);
        assert!(
            journal
                .task_durations("https://elsewhere.example/")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(hub.counters().tasks_created, 1);
    })
    .await;
}

#[tokio::test]
async fn durations_load_the_last_32_per_model_in_order() {
    on_each_store("durations", |journal, _dir| async move {
        for secs in 1..=40 {
            journal
                .record_duration("hub-a", "veo-3.1", Duration::from_secs(secs))
                .await
                .unwrap();
        }
        journal
            .record_duration("hub-b", "veo-3.1", Duration::from_secs(999))
            .await
            .unwrap();
        let loaded = journal.task_durations("hub-a").await.unwrap();
        let secs: Vec<u64> = loaded
            .iter()
            .flat_map(|(_, d)| d.map(|d| d.as_secs()).collect::<Vec<_>>())
            .collect();
        assert_eq!(secs, (9..=40).collect::<Vec<_>>());
        let client = Client::new("key").unwrap();
        client.remember_task_durations(&loaded);
        let median = client.typical_duration("veo-3.1").unwrap().as_secs_f64();
        assert!((20.0..30.0).contains(&median), "{median}");
    })
    .await;
}

#[tokio::test]
async fn failures_are_final_states_and_a_refused_submit_has_no_task() {
    on_each_store("failures", |journal, dir| async move {
        let hub = sandbox("kinds=failed").await;
        let runner = runner(&journal, client(&hub));
        let out = dir.as_path().join("a.mp4");
        let failed = runner
            .run(new_job(&hub, "veo-3.1", &out), |_| {})
            .await
            .unwrap();
        assert_eq!(failed.state, JobState::Failed);
        assert!(failed.task_id.is_some());
        assert!(failed.error.is_some());
        assert!(!out.exists());

        let refused = runner
            .run(new_job(&hub, "no-such-model", &out), |_| {})
            .await
            .unwrap();
        assert_eq!(refused.state, JobState::Failed);
        assert_eq!(refused.task_id, None);
        assert!(refused.error.unwrap().contains("refused the submit"));
    })
    .await;
}

#[tokio::test]
async fn an_unknown_outcome_is_resent_only_with_force() {
    on_each_store("unknown_outcome", |journal, dir| async move {
        let hub = sandbox("kinds=reset-after,on=submit,rate=1").await;
        let runner = runner(&journal, client(&hub));
        let out = dir.as_path().join("a.mp4");
        let job = runner
            .run(new_job(&hub, "veo-3.1", &out), |_| {})
            .await
            .unwrap();
        assert_eq!(job.state, JobState::OutcomeUnknown);
        assert_eq!(hub.counters().submits_received, 1);

        let resumed = runner.resume(&job.id, |_| {}).await.unwrap();
        assert_eq!(
            resumed.state,
            JobState::OutcomeUnknown,
            "a resume leaves it alone"
        );
        let refused = journal.retry(&job.id, false).await.unwrap_err();
        assert!(matches!(refused, Error::WrongState { .. }), "{refused}");
        assert!(refused.to_string().contains("--force"), "{refused}");
        assert_eq!(hub.counters().submits_received, 1);

        let retried = journal.retry(&job.id, true).await.unwrap();
        assert_eq!(retried.state, JobState::Pending);
        let again = runner.resume(&job.id, |_| {}).await.unwrap();
        assert_eq!(
            again.state,
            JobState::OutcomeUnknown,
            "the fault is still on"
        );
        assert_eq!(again.submits, 2);
        assert_eq!(hub.counters().submits_received, 2);
    })
    .await;
}

#[tokio::test]
async fn a_job_held_by_a_live_runner_is_left_to_it() {
    on_each_store("held_job", |journal, dir| async move {
        let hub = sandbox("").await;
        let first = runner(&journal, client(&hub));
        let second = runner(&journal, client(&hub));
        let job = first
            .record(&new_job(&hub, "veo-3.1", &dir.as_path().join("a.mp4")))
            .await
            .unwrap();
        let busy = second.resume(&job.id, |_| {}).await.unwrap_err();
        assert!(matches!(busy, Error::Busy { .. }), "{busy}");
        assert_eq!(hub.counters().submits_received, 0);
        first.release(&job.id).await.unwrap();
        let done = second.resume(&job.id, |_| {}).await.unwrap();
        assert_eq!(done.state, JobState::Downloaded);
        assert_eq!(hub.counters().tasks_created, 1);
    })
    .await;
}

#[tokio::test]
async fn a_missing_output_directory_is_refused_before_anything_is_recorded_or_sent() {
    on_each_store("missing_dir", |journal, dir| async move {
    let hub = sandbox("").await;
    let runner = runner(&journal, client(&hub));
    let out = dir.as_path().join("later").join("a.mp4");
    let error = runner
        .run(new_job(&hub, "veo-3.1", &out), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Destination { dir: named, .. } if named == &dir.as_path().join("later")),
        "{error}"
    );
    assert!(
        journal
            .jobs(&JobFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(hub.counters().submits_received, 0);
    })
    .await;
}

#[tokio::test]
async fn an_output_directory_gone_after_the_submit_keeps_the_job_for_a_later_resume() {
    on_each_store("gone_dir", |journal, dir| async move {
        let hub = sandbox("").await;
        let runner = runner(&journal, client(&hub));
        let later = dir.as_path().join("later");
        std::fs::create_dir(&later).unwrap();
        let out = later.join("a.mp4");
        let job = runner
            .submit(new_job(&hub, "veo-3.1", &out), |_| {})
            .await
            .unwrap();
        std::fs::remove_dir(&later).unwrap();
        let error = runner.resume(&job.id, |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("later"), "{error}");
        let job = journal.job(&job.id).await.unwrap();
        assert_eq!(job.state, JobState::Completed);
        assert!(job.error.as_deref().unwrap().contains("download failed"));

        std::fs::create_dir(&later).unwrap();
        let done = runner.resume(&job.id, |_| {}).await.unwrap();
        assert_eq!(done.state, JobState::Downloaded);
        assert!(out.exists());
        assert_eq!(hub.counters().tasks_created, 1);
    })
    .await;
}

async fn raw(path: &Path) -> sqlx::SqliteConnection {
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

async fn job_count(path: &Path) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
        .fetch_one(&mut raw(path).await)
        .await
        .unwrap()
}

async fn journal_with_a_job(dir: &Path) -> PathBuf {
    let path = dir.join("j.sqlite3");
    let journal = Journal::open(&path).await.unwrap();
    let hub = sandbox("").await;
    runner(&journal, client(&hub))
        .record(&new_job(&hub, "veo-3.1", &dir.join("a.mp4")))
        .await
        .unwrap();
    path
}

#[tokio::test]
async fn a_journal_from_a_newer_videohub_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_with_a_job(dir.path()).await;
    sqlx::query("PRAGMA user_version = 99")
        .execute(&mut raw(&path).await)
        .await
        .unwrap();
    let error = Journal::open(&path).await.unwrap_err();
    // This videohub knows one schema version per step in its migrations folder.
    let steps = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count() as i64;
    assert!(
        matches!(
            error,
            Error::NewerSchema {
                found: 99,
                known,
                ..
            } if known == steps
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    assert_eq!(job_count(&path).await, 1);
}

#[tokio::test]
async fn a_damaged_file_is_named_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite3");
    let garbage = b"this is not a database, but somebody's notes".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let error = Journal::open(&path).await.unwrap_err();
    assert!(matches!(error, Error::Corrupt { .. }), "{error}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[tokio::test]
async fn a_journal_locked_too_long_is_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_with_a_job(dir.path()).await;
    let journal = Journal::open_with(&path, Duration::from_millis(300))
        .await
        .unwrap();
    let mut holder = raw(&path).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET updated_at = updated_at")
        .execute(&mut holder)
        .await
        .unwrap();
    let hub = sandbox("").await;
    let error = runner(&journal, client(&hub))
        .record(&new_job(&hub, "veo-3.1", &dir.path().join("b.mp4")))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Locked { .. }), "{error}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    assert_eq!(job_count(&path).await, 1);
    runner(&journal, client(&hub))
        .record(&new_job(&hub, "veo-3.1", &dir.path().join("b.mp4")))
        .await
        .unwrap();
    assert_eq!(job_count(&path).await, 2);
}

#[tokio::test]
async fn the_default_location_follows_xdg() {
    let path = Journal::default_path().unwrap();
    assert!(
        path.ends_with("videohub/journal.sqlite3"),
        "{}",
        path.display()
    );
}
