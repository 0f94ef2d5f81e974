//! The journal's overhead per job (issue 10): the same generations through the sandbox
//! with the bare client (submit, wait, save), with the journal's runner on a SQLite file
//! (every step a synced transaction), and with the runner on a journal in memory.
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin journal_overhead -- [--jobs 200] [--rounds 5]
//! ```
//!
//! Tasks finish at once and are polled every 5 ms, so the figures are the client's and the
//! journal's own work, not the hub's. The three arms alternate in rounds within this one
//! process. Writes per job are counted from the journal itself: the transactions that
//! change a job (its events) plus the duration recorded for the model.

#[path = "../hub_common.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{arg, median};
use videohub::{Client, PollPolicy};
use videohub_journal::{JobFilter, JobState, Journal, NewJob, Runner};
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration};

fn policy() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(5))
}

fn input() -> serde_json::Map<String, serde_json::Value> {
    serde_json::json!({"prompt": "a koi pond at dawn", "seed": 7})
        .as_object()
        .cloned()
        .unwrap()
}

async fn bare(client: &Client, dir: &Path, jobs: usize) {
    for n in 0..jobs {
        let task = client
            .submit_unchecked(videohub::Capability::Video.endpoint(), "wan-2.7", input())
            .await
            .unwrap();
        let output = task.wait_with(policy()).await.unwrap();
        output
            .save(dir.join(format!("bare-{n}.mp4")))
            .await
            .unwrap();
    }
}

async fn journaled(runner: &Runner, hub: &SandboxHandle, dir: &Path, jobs: usize) {
    for n in 0..jobs {
        let job = runner
            .run(
                NewJob::new(
                    hub.url(),
                    videohub::models::find("wan-2.7").expect("compiled in"),
                    input(),
                    dir.join(format!("journaled-{n}.mp4")),
                ),
                |_| {},
            )
            .await
            .unwrap();
        assert_eq!(job.state, JobState::Downloaded, "{:?}", job.error);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let jobs: usize = arg("--jobs").map_or(200, |s| s.parse().expect("--jobs"));
    let rounds: usize = arg("--rounds").map_or(5, |s| s.parse().expect("--rounds"));
    let hub = Sandbox::builder()
        .max_tasks(usize::MAX)
        .faults(FaultSpec::none().seed(1))
        .durations(TaskDuration::Fixed(Duration::ZERO))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .api_key("bench")
        .base_url(hub.url())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = Journal::open(dir.path().join("journal.sqlite3"))
        .await
        .unwrap();
    let memory = Journal::in_memory().await.unwrap();
    let on_file = Runner::new(file.clone(), client.clone()).poll_policy(policy());
    let in_memory = Runner::new(memory, client.clone()).poll_policy(policy());

    let mut times: [Vec<f64>; 3] = Default::default();
    for _ in 0..rounds {
        let start = Instant::now();
        bare(&client, dir.path(), jobs).await;
        times[0].push(start.elapsed().as_secs_f64() / jobs as f64);
        let start = Instant::now();
        journaled(&on_file, &hub, dir.path(), jobs).await;
        times[1].push(start.elapsed().as_secs_f64() / jobs as f64);
        let start = Instant::now();
        journaled(&in_memory, &hub, dir.path(), jobs).await;
        times[2].push(start.elapsed().as_secs_f64() / jobs as f64);
    }

    let recorded = file.jobs(&JobFilter::default()).await.unwrap();
    let mut events = 0;
    for job in &recorded {
        events += file.events(&job.id).await.unwrap().len();
    }
    let writes = (events + recorded.len()) as f64 / recorded.len() as f64;
    let size = std::fs::metadata(file.location()).map_or(0, |m| m.len())
        + std::fs::metadata(dir.path().join("journal.sqlite3-wal")).map_or(0, |m| m.len());

    println!("{jobs} jobs x {rounds} rounds per arm, tasks ready at once, 20 KB videos\n");
    println!("| arm | median time per job (ms) | against the bare client |");
    println!("| --- | --- | --- |");
    let base = median(&times[0]);
    for (name, samples) in [
        "bare client",
        "journal on a file (synced)",
        "journal in memory",
    ]
    .iter()
    .zip(&times)
    {
        let m = median(samples);
        println!("| {name} | {:.2} | {:.2}x |", m * 1000.0, m / base);
    }
    println!(
        "\njournal writes per job: {writes:.1} transactions (each a job change with its event, plus the model's duration); journal size {:.1} KiB per job",
        size as f64 / 1024.0 / recorded.len() as f64
    );
}
