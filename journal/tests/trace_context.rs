//! A job's trace context, kept on its row by the first process that drives it and handed
//! to every later one through the runner's `JobTrace`, on SQLite and on Postgres.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use videohub_journal::{JobState, JobTrace, Journal, NewJob, Runner};
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

mod common;
use common::on_each_store;

/// A `JobTrace` that starts traces with a fixed context and remembers what it was given.
#[derive(Debug, Default)]
struct Recorded {
    /// The `traceparent` each job span was entered with, and the span's name.
    entered: Mutex<Vec<(Option<String>, String)>>,
}

const STARTED: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

impl JobTrace for Recorded {
    fn enter(&self, span: &tracing::Span, traceparent: Option<&str>) -> Option<String> {
        let name = span.metadata().map(|m| m.name()).unwrap_or_default();
        self.entered
            .lock()
            .unwrap()
            .push((traceparent.map(str::to_owned), name.to_owned()));
        Some(traceparent.unwrap_or(STARTED).to_owned())
    }
}

fn runner(journal: &Journal, hub: &SandboxHandle, trace: Arc<Recorded>) -> Runner {
    common::runner(journal, common::client(hub)).trace_jobs(trace)
}

fn new_job(hub: &SandboxHandle, output: &Path) -> NewJob {
    let input = json!({"prompt": "a red fox"}).as_object().cloned().unwrap();
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    NewJob::new(hub.url(), veo, input, output)
}

#[tokio::test]
async fn the_first_process_keeps_the_trace_and_the_next_one_joins_it() {
    // A subscriber, so that spans exist (a hook sees a span's name only then).
    let _logs = tracing::subscriber::set_default(tracing_subscriber::registry());
    let hub = Sandbox::builder()
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .start()
        .await
        .unwrap();
    on_each_store("trace_context", |journal, dir| {
        let hub = &hub;
        async move {
            let first = Arc::new(Recorded::default());
            let submitted = runner(&journal, hub, first.clone())
                .submit(new_job(hub, &dir.join("fox.mp4")), |_| {})
                .await
                .unwrap();
            assert_eq!(submitted.state, JobState::Submitted);
            assert_eq!(
                *first.entered.lock().unwrap(),
                [(None, "videohub.job".to_owned())],
                "the first process starts the job's trace"
            );
            let kept = journal.job(&submitted.id).await.unwrap();
            assert_eq!(
                kept.traceparent.as_deref(),
                Some(STARTED),
                "kept on the row"
            );

            let next = Arc::new(Recorded::default());
            let done = runner(&journal, hub, next.clone())
                .resume(&submitted.id, |_| {})
                .await
                .unwrap();
            assert_eq!(done.state, JobState::Downloaded);
            assert_eq!(
                *next.entered.lock().unwrap(),
                [(Some(STARTED.to_owned()), "videohub.job".to_owned())],
                "a later process opens its span in the job's trace"
            );
            let kept = journal.job(&submitted.id).await.unwrap();
            assert_eq!(kept.traceparent.as_deref(), Some(STARTED), "never replaced");
        }
    })
    .await;
}

#[tokio::test]
async fn without_a_hook_no_trace_context_is_kept() {
    let hub = Sandbox::builder()
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite3")).await.unwrap();
    let job = common::runner(&journal, common::client(&hub))
        .submit(new_job(&hub, &dir.path().join("fox.mp4")), |_| {})
        .await
        .unwrap();
    assert_eq!(job.traceparent, None);
}
