//! Polling study (issue 7, part 3): poll policies against the sandbox, with log-normal task
//! durations (medians 30 s, 60 s and 180 s, sigma 0.5) on a fast time scale.
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin polling -- [--scale 0.02] [--tasks 100]
//! ```
//!
//! For each policy and model: requests per task (polls the sandbox received for the task)
//! and the delay between the task becoming ready and the first poll that saw it ready
//! (measured by the sandbox), in hub seconds (real seconds divided by the scale). Every
//! policy's durations are scaled too, so the client polls as it would at scale 1.

#[path = "../hub_common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{arg, mean, quantile};
use videohub::{Client, PollPolicy};
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

/// The models and the medians of their durations, in hub seconds.
const MODELS: [(&str, u64); 3] = [("wan-2.7", 30), ("veo-3.1", 60), ("seedance-2.0", 180)];
/// Tasks per model that teach a learning policy before the measured ones.
const WARM_UP: usize = 32;

struct Row {
    policy: String,
    model: &'static str,
    median: u64,
    requests: Vec<f64>,
    delays: Vec<f64>,
    failures: usize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let scale: f64 = arg("--scale").map_or(0.02, |s| s.parse().expect("--scale"));
    let tasks: usize = arg("--tasks").map_or(100, |s| s.parse().expect("--tasks"));
    let only = arg("--only");
    // The seed draws the durations (and so the warm-up a learning policy fits).
    let seed: u64 = arg("--seed").map_or(0, |s| s.parse().expect("--seed"));
    let s = |secs: f64| Duration::from_secs_f64(secs * scale);
    let policies: Vec<(String, PollPolicy, bool, usize)> = vec![
        // (name, policy, warm up first, tasks per model)
        (
            "current default (5 s, x1.5, cap 15 s)".into(),
            PollPolicy::default()
                .learn(false)
                .initial_delay(s(5.0))
                .max_interval(s(15.0)),
            false,
            tasks,
        ),
        (
            "fixed 0.5 s".into(),
            PollPolicy::fixed(s(0.5)),
            false,
            tasks.min(30),
        ),
        ("fixed 5 s".into(), PollPolicy::fixed(s(5.0)), false, tasks),
        (
            "exponential 1 s, x2, cap 60 s".into(),
            PollPolicy::exponential(s(1.0), 2.0, s(60.0)),
            false,
            tasks,
        ),
        (
            "learned, 14 polls (new default)".into(),
            learned(s, 14),
            true,
            tasks,
        ),
        ("learned, 17 polls".into(), learned(s, 17), true, tasks),
        ("learned, 10 polls".into(), learned(s, 10), true, tasks),
    ];
    println!(
        "polling study: seed {seed}, scale {scale}, log-normal sigma 0.5, {tasks} tasks per model (30 at 0.5 s); figures in hub seconds"
    );
    let started = Instant::now();
    let mut rows = Vec::new();
    for (name, policy, warm, n) in policies {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let mut builder = Sandbox::builder()
            .time_scale(scale)
            .faults(videohub_sandbox::FaultSpec::none().seed(seed))
            .max_tasks(10_000);
        for (model, median) in MODELS {
            builder = builder.model_durations(
                model,
                TaskDuration::LogNormal {
                    median: Duration::from_secs(median),
                    sigma: 0.5,
                },
            );
        }
        let sandbox = builder.start().await.expect("sandbox");
        let client = Client::builder()
            .api_key("bench")
            .base_url(sandbox.url())
            .build()
            .expect("client");
        if warm {
            run_wave(&sandbox, &client, policy, WARM_UP, scale, &name).await;
        }
        rows.extend(run_wave(&sandbox, &client, policy, n, scale, &name).await);
        sandbox.shutdown().await;
    }
    println!();
    println!(
        "| policy | model, median | tasks | requests/task | mean delay | p50 | p95 | max | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in &rows {
        let mut delays = row.delays.clone();
        delays.sort_by(f64::total_cmp);
        println!(
            "| {} | {}, {} s | {} | {:.1} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {} |",
            row.policy,
            row.model,
            row.median,
            row.requests.len(),
            mean(&row.requests),
            mean(&delays),
            quantile(&delays, 0.5),
            quantile(&delays, 0.95),
            quantile(&delays, 1.0),
            row.failures,
        )
    }
    println!("\ntotal {:.1} s real", started.elapsed().as_secs_f64());
}

fn learned(s: impl Fn(f64) -> Duration, polls: u32) -> PollPolicy {
    PollPolicy::default()
        .target_polls(polls)
        .initial_delay(s(5.0))
        .max_interval(s(15.0))
        .min_interval(s(1.0))
}

/// `n` tasks of every model at once, waited for with `policy`; one row per model.
async fn run_wave(
    sandbox: &SandboxHandle,
    client: &Client,
    policy: PollPolicy,
    n: usize,
    scale: f64,
    name: &str,
) -> Vec<Row> {
    let mut handles = Vec::new();
    for (model, _) in MODELS {
        for i in 0..n {
            let client = client.clone();
            let input = common::input_for(sandbox.models(), model, &format!("task {i}"));
            handles.push(tokio::spawn(async move {
                let task = client
                    .submit_unchecked(videohub::Capability::Video.endpoint(), model, input)
                    .await?;
                let id = task.id().to_owned();
                task.wait_with(policy.no_deadline()).await.map(|_| id)
            }));
        }
    }
    let mut rows: Vec<Row> = MODELS
        .iter()
        .map(|(model, median)| Row {
            policy: name.to_owned(),
            model,
            median: *median,
            requests: Vec::new(),
            delays: Vec::new(),
            failures: 0,
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let row = &mut rows[i / n];
        match handle.await.expect("no panic") {
            Ok(id) => {
                let report = sandbox
                    .task_report(&id)
                    .expect("the sandbox holds the task");
                row.requests.push(f64::from(report.polls));
                if std::env::var_os("POLLING_DEBUG").is_some() {
                    eprintln!(
                        "{name} {} duration {:.1} s, {} polls, learned median {:?}",
                        report.model,
                        report.duration.as_secs_f64() / scale,
                        report.polls,
                        client
                            .typical_duration(&report.model)
                            .map(|d| d.as_secs_f64() / scale)
                    );
                }
                let delay = report.seen_ready_after.expect("seen ready");
                row.delays.push(delay.as_secs_f64() / scale);
            }
            Err(error) => {
                eprintln!("{name}: {error}");
                row.failures += 1;
            }
        }
    }
    rows
}
