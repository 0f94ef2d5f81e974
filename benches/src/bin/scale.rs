//! Scale (issue 7, part 4): one process tracking 10,000 tasks at once against a sandbox in
//! a child process; all must complete. Prints peak memory (VmHWM), memory per task in
//! flight and CPU time of the client process alone.
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin scale -- [--tasks 10000]
//! ```
//!
//! Tasks take 20 s (log-normal, sigma 0.3) in real time, so that all 10,000 are in flight at
//! once, and are polled with the default policy (the first ones without history, the
//! others learned).

#[path = "../hub_common.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ChildSandbox, arg, cpu_time, peak_rss_kib, rss_kib};
use videohub::{Client, PollPolicy};
use videohub_sandbox::{Sandbox, TaskDuration};

const MODEL: &str = "veo-3.1";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    if std::env::args().any(|a| a == "--serve") {
        runtime.block_on(async {
            let sandbox = Sandbox::builder()
                .max_tasks(50_000)
                .durations(TaskDuration::LogNormal {
                    median: Duration::from_secs(20),
                    sigma: 0.3,
                })
                .start()
                .await
                .expect("sandbox");
            common::serve_until_stdin_closes(sandbox).await;
        });
        return;
    }
    let tasks: usize = arg("--tasks").map_or(10_000, |s| s.parse().expect("--tasks"));
    let server = ChildSandbox::start(&[]);
    runtime.block_on(run(&server, tasks));
    println!("sandbox counters: {}", server.counters());
}

async fn run(server: &ChildSandbox, tasks: usize) {
    let client = Client::builder()
        .api_key("bench")
        .base_url(&server.url)
        .build()
        .expect("client");
    let models = videohub_sandbox::compiled_models();
    let input = common::input_for(&models, MODEL, "warm-up");
    // One request first, so that the baseline holds the client's own allocations.
    client
        .submit_unchecked(videohub::Capability::Video.endpoint(), MODEL, input)
        .await
        .expect("warm-up submit");
    let baseline = rss_kib();
    common::reset_peak_rss();
    let (user0, system0) = cpu_time();
    let started = Instant::now();

    let submits = Arc::new(tokio::sync::Semaphore::new(64));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak_in_flight = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(tasks);
    for i in 0..tasks {
        let client = client.clone();
        let input = common::input_for(&models, MODEL, &format!("task {i}"));
        let submits = submits.clone();
        let in_flight = in_flight.clone();
        let peak_in_flight = peak_in_flight.clone();
        handles.push(tokio::spawn(async move {
            let task = {
                let _permit = submits.acquire().await.expect("semaphore");
                client
                    .submit_unchecked(videohub::Capability::Video.endpoint(), MODEL, input)
                    .await?
            };
            let now = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
            peak_in_flight.fetch_max(now, Ordering::Relaxed);
            let result = task.wait_with(PollPolicy::default()).await;
            in_flight.fetch_sub(1, Ordering::Relaxed);
            result.map(|output| output.file().is_some())
        }));
    }
    let submitted_by = Instant::now();
    // The most file descriptors (sockets, mostly) open at once, sampled every 100 ms.
    let peak_fds = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let peak_fds = peak_fds.clone();
        tokio::spawn(async move {
            loop {
                let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
                peak_fds.fetch_max(fds, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut completed = 0;
    let mut errors = 0;
    for handle in handles {
        match handle.await.expect("no panic") {
            Ok(true) => completed += 1,
            Ok(false) => errors += 1,
            Err(error) => {
                errors += 1;
                if errors <= 5 {
                    eprintln!("error: {error}");
                }
            }
        }
    }
    let wall = started.elapsed();
    sampler.abort();
    let (user1, system1) = cpu_time();
    let peak = peak_rss_kib();
    let growth = peak.saturating_sub(baseline);
    println!("scale: {tasks} tasks, default poll policy, tasks of ~20 s (log-normal sigma 0.3)");
    println!("completed with a video: {completed}, errors: {errors}");
    println!(
        "peak tasks in flight at once: {}",
        peak_in_flight.load(Ordering::Relaxed)
    );
    println!(
        "most file descriptors open at once: {}",
        peak_fds.load(Ordering::Relaxed)
    );
    let probe = client.task_by_id("probe");
    let model_input = common::input_for(&videohub_sandbox::compiled_models(), MODEL, "x");
    println!(
        "size of one submit future: {} bytes",
        std::mem::size_of_val(&client.submit_unchecked(
            videohub::Capability::Video.endpoint(),
            MODEL,
            model_input
        ))
    );
    println!(
        "size of one wait future: {} bytes",
        std::mem::size_of_val(&probe.wait_with(PollPolicy::default()))
    );
    println!(
        "spawned in {:.2} s, wall {:.1} s",
        (submitted_by - started).as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "RSS: baseline {baseline} KiB, peak {peak} KiB, growth {growth} KiB = {:.2} KiB per task in flight",
        growth as f64 / peak_in_flight.load(Ordering::Relaxed).max(1) as f64
    );
    println!(
        "CPU (client process): user {:.2} s, system {:.2} s, {:.0} us per task",
        (user1 - user0).as_secs_f64(),
        (system1 - system0).as_secs_f64(),
        ((user1 - user0) + (system1 - system0)).as_secs_f64() * 1e6 / tasks as f64
    );
}
