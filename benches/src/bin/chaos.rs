//! Chaos (issue 7, part 6): generations through a sandbox with every fault kind on, on
//! every point (submit, poll, download, task outcome).
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin chaos -- [--generations 1000] [--rate 0.25] [--seed 7]
//! ```
//!
//! Every generation submits a request with a prompt of its own, waits with the default
//! policy (scaled to the sandbox's time) and saves the video to `out-N.mp4`, retrying the
//! download (a GET, safe to repeat) up to 3 times. Checked: every generation ends in a
//! video or a typed error, no task is created twice from one request (the sandbox's
//! `duplicate_tasks`), no panic, no file but the finished videos in the output directory,
//! and every video is whole.

#[path = "../hub_common.rs"]
mod common;

use common::arg;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use videohub::{Client, Error, PollPolicy, RetryPolicy};
use videohub_sandbox::{FaultKind, FaultSpec, SAMPLE_MP4, Sandbox};

const MODEL: &str = "veo-3.1";

/// How one generation ended.
fn outcome(result: &Result<u64, Error>) -> &'static str {
    match result {
        Ok(_) => "video",
        Err(Error::TaskFailed { .. }) => "task failed (hub)",
        Err(Error::TaskTimedOut { .. }) => "task timed out (hub)",
        Err(Error::SubmitOutcomeUnknown { .. }) => "submit outcome unknown",
        Err(Error::Server { .. }) => "server error after retries",
        Err(Error::RateLimited { .. }) => "rate limited after retries",
        Err(Error::Transport(_)) => "transport error after retries",
        Err(Error::Decode { .. }) => "undecodable answer",
        Err(Error::DownloadIncomplete { .. }) => "download incomplete after retries",
        Err(Error::DownloadInterrupted { .. }) => "download interrupted on every try",
        Err(Error::Timeout { .. }) => "timeout",
        Err(Error::DeadlineExceeded { .. }) => "deadline exceeded",
        Err(_) => "other typed error",
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let generations: usize =
        arg("--generations").map_or(1000, |s| s.parse().expect("--generations"));
    let rate: f64 = arg("--rate").map_or(0.25, |s| s.parse().expect("--rate"));
    let seed: u64 = arg("--seed").map_or(7, |s| s.parse().expect("--seed"));
    let dir = PathBuf::from(arg("--dir").unwrap_or_else(|| "target/chaos-bench".into()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the output directory");

    let faults = FaultSpec {
        slow: Duration::from_millis(100),
        retry_after: 0,
        ..FaultSpec::always(FaultKind::ALL).rate(rate).seed(seed)
    };
    let scale = 0.002; // a 60 s task takes 120 ms
    let sandbox = Sandbox::builder()
        .time_scale(scale)
        .faults(faults)
        .max_tasks(generations + 10)
        .start()
        .await
        .expect("sandbox");
    let client = Client::builder()
        .api_key("chaos")
        .base_url(sandbox.url())
        .timeout(Duration::from_secs(5))
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(50)),
        )
        .build()
        .expect("client");
    let s = |secs: f64| Duration::from_secs_f64(secs * scale);
    let policy = PollPolicy::default()
        .initial_delay(s(5.0))
        .max_interval(s(15.0))
        .min_interval(s(1.0))
        .deadline(Duration::from_secs(60));

    let started = Instant::now();
    let concurrency = tokio::sync::Semaphore::new(100);
    let concurrency = std::sync::Arc::new(concurrency);
    let mut handles = Vec::new();
    for i in 0..generations {
        let client = client.clone();
        let input = common::input_for(sandbox.models(), MODEL, &format!("chaos generation {i}"));
        let path = dir.join(format!("out-{i}.mp4"));
        let concurrency = concurrency.clone();
        handles.push(tokio::spawn(async move {
            let _permit = concurrency.acquire().await.expect("semaphore");
            generate(&client, input, policy, &path).await
        }));
    }
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut panics = 0;
    let mut videos = Vec::new();
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.await {
            Ok(result) => {
                *outcomes.entry(outcome(&result)).or_default() += 1;
                if result.is_ok() {
                    videos.push(i);
                }
            }
            Err(join) if join.is_panic() => panics += 1,
            Err(_) => panics += 1,
        }
    }
    let wall = started.elapsed();
    let counters = sandbox.counters();

    // The directory holds exactly the finished videos, each whole.
    let mut stray = Vec::new();
    let mut whole = 0;
    for entry in std::fs::read_dir(&dir).expect("read dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let index = name
            .strip_prefix("out-")
            .and_then(|n| n.strip_suffix(".mp4"))
            .and_then(|n| n.parse::<usize>().ok());
        match index {
            Some(i) if videos.binary_search(&i).is_ok() => {
                if std::fs::read(dir.join(&name)).expect("read") == SAMPLE_MP4 {
                    whole += 1;
                } else {
                    stray.push(format!("{name} (not whole)"));
                }
            }
            _ => stray.push(name),
        }
    }

    println!(
        "chaos: {generations} generations, every fault kind on every point at rate {rate} (seed {seed}), {:.1} s",
        wall.as_secs_f64()
    );
    for (outcome, count) in &outcomes {
        println!("  {outcome}: {count}");
    }
    println!("panics: {panics}");
    println!(
        "sandbox: {} submits received, {} tasks created, {} created twice from one request, {} polls, {} downloads, {} faults injected",
        counters.submits_received,
        counters.tasks_created,
        counters.duplicate_tasks,
        counters.polls,
        counters.downloads,
        counters.faults_injected
    );
    let requests = counters.submits_received + counters.polls + counters.downloads;
    println!(
        "faults on {:.1} % of requests (task outcomes included)",
        100.0 * counters.faults_injected as f64 / requests as f64
    );
    println!(
        "files: {whole} whole videos, {} stray: {:?}",
        stray.len(),
        stray
    );
    let ok =
        panics == 0 && counters.duplicate_tasks == 0 && stray.is_empty() && whole == videos.len();
    println!("{}", if ok { "PASS" } else { "FAIL" });
    if !ok {
        std::process::exit(1);
    }
}

async fn generate(
    client: &Client,
    input: serde_json::Map<String, serde_json::Value>,
    policy: PollPolicy,
    path: &Path,
) -> Result<u64, Error> {
    let task = client
        .submit_unchecked(videohub::Capability::Video.endpoint(), MODEL, input)
        .await?;
    let output = task.wait_with(policy).await?;
    let mut tries = 0;
    loop {
        match output.save(path).await {
            Err(Error::DownloadIncomplete { .. } | Error::Transport(_) | Error::Timeout { .. })
                if tries < 3 =>
            {
                tries += 1;
            }
            other => return other,
        }
    }
}
