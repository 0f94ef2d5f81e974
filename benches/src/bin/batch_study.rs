//! Batch runs (issue 11): a runner killed again and again under faults, workers sharing one
//! Postgres, and the journal's cost at high concurrency. Every run is the real `videohub`
//! binary against a sandbox hub in this process.
//!
//! ```sh
//! cargo build --release -p videohub-cli
//! cargo run --release -p videohub-benches --bin batch_study -- crash   [--jobs 500] [--kills 12]
//! cargo run --release -p videohub-benches --bin batch_study -- workers [--jobs 300]   # Postgres
//! cargo run --release -p videohub-benches --bin batch_study -- overhead [--jobs 640]
//! ```
//!
//! `workers` uses `VIDEOHUB_TEST_POSTGRES_URL`, or starts the throwaway server of
//! `scripts/test-postgres.sh`.

#[path = "../hub_common.rs"]
mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, batch_file, videohub};
use serde_json::Value;
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration};

fn sandbox(runtime: &tokio::runtime::Runtime, faults: FaultSpec, task: Duration) -> SandboxHandle {
    runtime
        .block_on(
            Sandbox::builder()
                .api_key("bench")
                .max_tasks(usize::MAX)
                .faults(faults)
                .durations(TaskDuration::Fixed(task))
                .start(),
        )
        .unwrap()
}

fn batch(
    hub: &SandboxHandle,
    store: Option<&str>,
    file: &Path,
    out: &Path,
    concurrency: usize,
) -> Child {
    let mut command = Command::new(videohub());
    command.args(["--base-url", hub.url(), "--api-key", "bench"]);
    match store {
        Some(store) => command.env("VIDEOHUB_STORE", store),
        None => command.arg("--no-store"),
    };
    command
        .args([
            "batch",
            "run",
            "--concurrency",
            &concurrency.to_string(),
            "--out",
        ])
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn states(hub: &SandboxHandle, store: &str) -> Vec<String> {
    let output = Command::new(videohub())
        .env("VIDEOHUB_STORE", store)
        .args(["--base-url", hub.url(), "jobs", "list", "--all", "--json"])
        .output()
        .unwrap();
    let jobs: Value = serde_json::from_slice(&output.stdout).unwrap();
    jobs.as_array()
        .unwrap()
        .iter()
        .map(|j| j["state"].as_str().unwrap().to_owned())
        .collect()
}

fn count(states: &[String], state: &str) -> usize {
    states.iter().filter(|s| *s == state).count()
}

fn crash() {
    let jobs: usize = arg("--jobs").map_or(500, |s| s.parse().unwrap());
    let kills: usize = arg("--kills").map_or(12, |s| s.parse().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let faults: FaultSpec =
        "seed=5,rate=0.25,kinds=503+429-bare+truncated-download+slow,slow=300ms"
            .parse()
            .unwrap();
    let hub = sandbox(&runtime, faults, Duration::from_millis(1500));
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), "crash", jobs);
    let store = dir
        .path()
        .join("journal.sqlite3")
        .to_string_lossy()
        .into_owned();
    let mut rng = fastrand::Rng::with_seed(7);
    let start = Instant::now();
    let (mut landed, mut unknown_seen) = (0, 0);
    for _ in 0..kills {
        let mut child = batch(&hub, Some(&store), &file, dir.path(), 32);
        std::thread::sleep(Duration::from_millis(rng.u64(300..4000)));
        child.kill().unwrap();
        child.wait().unwrap();
        let now = states(&hub, &store);
        let left = count(&now, "submitting") + count(&now, "outcome_unknown") - unknown_seen;
        landed += left;
        unknown_seen += left;
    }
    let status = batch(&hub, Some(&store), &file, dir.path(), 32)
        .wait()
        .unwrap();
    let elapsed = start.elapsed();
    let end = states(&hub, &store);
    let c = hub.counters();
    println!(
        "crash study: {jobs} jobs, {kills} SIGKILLs at random (0.3–4 s into each run), then a run to the end (exit {:?}), {:.0} s in all",
        status.code(),
        elapsed.as_secs_f64()
    );
    println!(
        "faults: {} of {} requests ({:.0} %)",
        c.faults_injected,
        c.submits_received + c.polls + c.downloads,
        100.0 * c.faults_injected as f64 / (c.submits_received + c.polls + c.downloads) as f64
    );
    println!(
        "| downloaded | failed | outcome_unknown | unfinished | tasks created | duplicate tasks | kills during a submit |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let unfinished = ["pending", "submitting", "submitted", "completed"]
        .iter()
        .map(|s| count(&end, s))
        .sum::<usize>();
    println!(
        "| {} | {} | {} | {unfinished} | {} | {} | {landed} |",
        count(&end, "downloaded"),
        count(&end, "failed") + count(&end, "timeout") + count(&end, "cancelled"),
        count(&end, "outcome_unknown"),
        c.tasks_created,
        c.duplicate_tasks
    );
}

fn workers() {
    let jobs: usize = arg("--jobs").map_or(300, |s| s.parse().unwrap());
    let url = common::postgres_url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = sandbox(&runtime, FaultSpec::none().seed(3), Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();

    // Throughput of 1, 2 and 3 workers (each 8 generations in flight).
    println!("| workers | jobs | seconds | jobs / s | tasks created |");
    println!("| --- | --- | --- | --- | --- |");
    for n in 1..=3 {
        let file = batch_file(dir.path(), &format!("workers-{n}"), jobs);
        let store = common::fresh_database(&url, &format!("bench_workers_{n}"));
        let before = hub.counters().tasks_created;
        let start = Instant::now();
        let mut children: Vec<Child> = (0..n)
            .map(|_| batch(&hub, Some(&store), &file, dir.path(), 8))
            .collect();
        for child in &mut children {
            child.wait().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let created = hub.counters().tasks_created - before;
        println!(
            "| {n} | {jobs} | {secs:.1} | {:.2} | {created} |",
            jobs as f64 / secs
        );
    }

    // Three workers, one killed halfway.
    let file = batch_file(dir.path(), "kill", jobs);
    let store = common::fresh_database(&url, "bench_workers_kill");
    let before = hub.counters();
    let mut children: Vec<Child> = (0..3)
        .map(|_| batch(&hub, Some(&store), &file, dir.path(), 8))
        .collect();
    while hub.counters().tasks_created - before.tasks_created < jobs as u64 / 2 {
        std::thread::sleep(Duration::from_millis(20));
    }
    children[0].kill().unwrap();
    children[0].wait().unwrap();
    let landed = {
        let now = states(&hub, &store);
        count(&now, "submitting") + count(&now, "outcome_unknown")
    };
    for child in &mut children[1..] {
        child.wait().unwrap();
    }
    let end = states(&hub, &store);
    let after = hub.counters();
    println!(
        "\n3 workers, one SIGKILLed after {} of {jobs} tasks were created: {} downloaded, {} outcome_unknown (kill during a submit: {landed}), {} unfinished; tasks created {}, duplicate tasks {}",
        jobs / 2,
        count(&end, "downloaded"),
        count(&end, "outcome_unknown"),
        ["pending", "submitting", "submitted", "completed"]
            .iter()
            .map(|s| count(&end, s))
            .sum::<usize>(),
        after.tasks_created - before.tasks_created,
        after.duplicate_tasks - before.duplicate_tasks,
    );
}

/// Peak resident set of a child process, sampled until it ends, in KiB.
fn peak_rss_of(mut child: Child) -> (u64, Duration) {
    let start = Instant::now();
    let mut peak = 0;
    let status = format!("/proc/{}/status", child.id());
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let rss = text
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
            peak = peak.max(rss);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (peak, start.elapsed())
}

fn overhead() {
    let jobs: usize = arg("--jobs").map_or(640, |s| s.parse().unwrap());
    let rounds: usize = arg("--rounds").map_or(3, |s| s.parse().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = sandbox(
        &runtime,
        FaultSpec::none().seed(4),
        Duration::from_millis(500),
    );
    let mut rows: Vec<(&str, usize, Vec<f64>, Vec<u64>)> = vec![
        ("journal (SQLite file)", 64, vec![], vec![]),
        ("no journal (--no-store)", 64, vec![], vec![]),
        ("journal (SQLite file)", 1, vec![], vec![]),
    ];
    for _ in 0..rounds {
        for (name, concurrency, times, rss) in rows.iter_mut() {
            let dir = tempfile::tempdir().unwrap();
            let n = if *concurrency == 1 { 16 } else { jobs };
            let file = batch_file(dir.path(), "overhead", n);
            let store = dir
                .path()
                .join("journal.sqlite3")
                .to_string_lossy()
                .into_owned();
            let journal = name.starts_with("journal");
            let child = batch(
                &hub,
                journal.then_some(store.as_str()),
                &file,
                dir.path(),
                *concurrency,
            );
            let (peak, took) = peak_rss_of(child);
            times.push(n as f64 / took.as_secs_f64());
            rss.push(peak);
        }
    }
    println!("{jobs} jobs of 0.5 s tasks, {rounds} rounds, arms interleaved\n");
    println!("| arm | in flight | jobs / s (median) | peak RSS (KiB, median) |");
    println!("| --- | --- | --- | --- |");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut medians = vec![];
    for (name, concurrency, times, rss) in rows.iter_mut() {
        rss.sort_unstable();
        let (t, r) = (median(times), rss[rss.len() / 2]);
        medians.push((t, r));
        println!("| {name} | {concurrency} | {t:.1} | {r} |");
    }
    println!(
        "\nthroughput at 64 in flight, journal / no journal: {:.2}x; memory per job in flight (journal, 64 against 1): {:.1} KiB",
        medians[0].0 / medians[1].0,
        (medians[0].1 as f64 - medians[2].1 as f64) / 63.0
    );
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("crash") => crash(),
        Some("workers") => workers(),
        Some("overhead") => overhead(),
        _ => eprintln!("usage: batch_study crash|workers|overhead [--jobs N]"),
    }
}
