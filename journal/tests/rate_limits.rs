//! A batch against a hub that refuses half the submits with 429 and `Retry-After: 1`: the
//! refused jobs wait and are sent again, none fails, each line is taken once; on SQLite and
//! on Postgres.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use videohub::RetryPolicy;
use videohub_journal::{JobState, LineEnd, NewJob};
use videohub_sandbox::{FaultSpec, Sandbox, TaskDuration};

mod common;
use common::{client, on_each_store, runner};

fn lines(n: usize, out: &std::path::Path) -> Vec<NewJob> {
    let wan = videohub::models::find("wan-2.7").expect("compiled in");
    (0..n)
        .map(|i| {
            let input = json!({"prompt": format!("shot {i}"), "seed": i});
            let input = input.as_object().cloned().unwrap_or_default();
            NewJob::new("sandbox", wan, input, out.join(format!("{i}.mp4")))
        })
        .collect()
}

#[tokio::test]
async fn a_batch_waits_out_the_hubs_refusals_and_sends_each_line_once() {
    on_each_store("rate_limits", |journal, dir| async move {
        let faults: FaultSpec = "seed=11,rate=0.5,kinds=429,on=submit,retry-after=1"
            .parse()
            .unwrap();
        let hub = Sandbox::builder()
            .durations(TaskDuration::Fixed(Duration::from_millis(50)))
            .faults(faults)
            .start()
            .await
            .unwrap();
        // No retries in the client: every refusal reaches the runner.
        let runner = runner(&journal, client(&hub).retry(RetryPolicy::none()));
        let jobs = lines(10, dir.as_path());
        let keys = videohub_journal::line_keys(&jobs, dir.as_path());
        let finished: Vec<_> = runner
            .run_batch("limited", dir.as_path(), jobs, 4)
            .await
            .unwrap()
            .collect()
            .await;
        assert_eq!(finished.len(), 10);
        for end in finished {
            let LineEnd::Final(job) = end else {
                panic!("no job stops short: {end:?}");
            };
            assert_eq!(job.state, JobState::Downloaded, "{job:?}");
            assert!(job.file_path.expect("a file").exists());
        }
        let counters = hub.counters();
        assert_eq!(counters.tasks_created, 10, "each line taken once");
        assert_eq!(counters.duplicate_tasks, 0);
        assert!(
            counters.submits_received > 10,
            "the hub refused some: {counters:?}"
        );
        let batch = videohub_journal::batch_id(&keys);
        let counts = journal.batch_counts(&batch).await.unwrap();
        assert_eq!(counts.states[&JobState::Downloaded], 10);
        assert_eq!(counts.waiting_on_hub, 0);
        assert_eq!(runner.waiting_on_hub(), 0);
        // The refused submits are in the jobs' histories, each followed by a successful one.
        let mut refusals = 0;
        for job in journal.jobs(&Default::default()).await.unwrap() {
            let events = journal.events(&job.id).await.unwrap();
            let refused = events
                .iter()
                .filter(|e| {
                    e.detail
                        .as_deref()
                        .is_some_and(|d| d.contains("refused the submit for now"))
                })
                .count();
            assert!(
                refused == 0 || job.submits as usize == refused + 1,
                "{events:?}"
            );
            refusals += refused;
        }
        assert_eq!(refusals as u64, counters.submits_received - 10);
    })
    .await;
}
