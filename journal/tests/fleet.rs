//! The whole journal at a glance (`Journal::fleet`), on SQLite and on Postgres.

use std::time::Duration;

use serde_json::json;
use videohub_journal::{JobState, NewJob};
use videohub_sandbox::{Sandbox, TaskDuration};

mod common;
use common::{client, on_each_store, runner};

#[tokio::test]
async fn the_fleet_counts_jobs_by_state_and_dates_the_oldest_unfinished() {
    let hub = Sandbox::builder()
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .start()
        .await
        .unwrap();
    on_each_store("fleet", |journal, dir| {
        let hub = &hub;
        async move {
            let empty = journal.fleet().await.unwrap();
            assert!(empty.states.is_empty());
            assert_eq!(empty.oldest_unfinished, None);

            let runner = runner(&journal, client(hub));
            let veo = videohub::models::find("veo-3.1").expect("compiled in");
            let input = json!({"prompt": "a red fox"}).as_object().cloned().unwrap();
            let new = |name: &str| NewJob::new(hub.url(), veo, input.clone(), dir.join(name));
            let waiting = runner.record(&new("a.mp4")).await.unwrap();
            runner.release(&waiting.id).await.unwrap();
            let done = runner.run(new("b.mp4"), |_| {}).await.unwrap();
            assert_eq!(done.state, JobState::Downloaded);

            let fleet = journal.fleet().await.unwrap();
            assert_eq!(
                fleet.states.into_iter().collect::<Vec<_>>(),
                [(JobState::Pending, 1), (JobState::Downloaded, 1)]
            );
            assert_eq!(fleet.oldest_unfinished, Some(waiting.created_at));
        }
    })
    .await;
}
