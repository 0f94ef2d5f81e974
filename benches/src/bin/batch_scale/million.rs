//! The million-line study (issue 33): the memory and time of checking, recording and
//! counting a batch of 1,000 to 1,000,000 lines, for two builds of `videohub` (`before`, built
//! from `main` by `benches/million/run.sh`, and this one), then the jobs per second over the
//! first jobs of a real run of the largest batch, with its resident memory sampled every
//! second.
//!
//! For each size and build, against the sandbox at `--time-scale 0.001`, each in a fresh
//! journal:
//! - **check**: `batch run --dry-run` of the JSON-lines file, then of the same lines as CSV;
//! - **record**: `batch run` until the sandbox receives its first submit (every line is
//!   checked, counted and recorded before that), then the process is killed;
//! - **status**: `batch status` of the file against that journal, its batch recorded.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use videohub_sandbox::SandboxHandle;

use super::common::{arg, batch_file, videohub};
use super::{Usage, lines_arg, scaled_sandbox, status_kib, usage_of, watch};

/// The same lines as [`batch_file`], as CSV for `--model wan-2.7`.
fn csv_file(dir: &Path, tag: &str, lines: usize) -> PathBuf {
    let mut text = String::from("prompt,seed\n");
    for i in 0..lines {
        text.push_str(&format!("{tag} shot {i},{i}\n"));
    }
    let path = dir.join(format!("{tag}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

/// `videohub` of `build` against `hub`, on the journal `store`.
fn videohub_on(build: &Path, hub: &SandboxHandle, store: &Path) -> Command {
    let mut command = Command::new(build);
    command
        .args(["--base-url", hub.url(), "--api-key", "bench"])
        .env("VIDEOHUB_STORE", store)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// The builds measured: `--before PATH` (optional) and this one.
fn builds() -> Vec<(&'static str, PathBuf)> {
    let mut builds = Vec::new();
    if let Some(before) = arg("--before") {
        builds.push(("before", PathBuf::from(before)));
    }
    builds.push(("after", videohub()));
    builds
}

/// Check, record and status of each size, for each build, with the ratios of the last
/// build to the first.
pub(crate) fn study() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = scaled_sandbox(&runtime);
    let builds = builds();
    println!("sandbox at --time-scale 0.001, `batch run --concurrency 64`\n");
    println!("each: wall time, CPU time, peak resident set\n");
    println!("| lines | build | check | check CSV | record | status |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut ratios = Vec::new();
    for lines in lines_arg("1000,100000,1000000") {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = batch_file(dir.path(), &format!("million-{lines}"), lines);
        let csv = csv_file(dir.path(), &format!("million-{lines}"), lines);
        let mut figures: Vec<[Usage; 4]> = Vec::new();
        for (build, path) in &builds {
            let store = dir.path().join(format!("{build}.sqlite3"));
            let out = dir.path().join(format!("out-{build}"));
            let check = usage_of(
                videohub_on(path, &hub, &store)
                    .args(["batch", "run", "--dry-run"])
                    .arg(&jsonl)
                    .spawn()
                    .unwrap(),
            );
            let check_csv = usage_of(
                videohub_on(path, &hub, &store)
                    .args(["batch", "run", "--dry-run", "--model", "wan-2.7"])
                    .arg(&csv)
                    .spawn()
                    .unwrap(),
            );
            let submits = hub.counters().submits_received;
            let record = watch(
                videohub_on(path, &hub, &store)
                    .args(["batch", "run", "--concurrency", "64", "--out"])
                    .arg(&out)
                    .arg(&jsonl)
                    .spawn()
                    .unwrap(),
                || hub.counters().submits_received > submits,
            );
            let status = usage_of(
                videohub_on(path, &hub, &store)
                    .args(["batch", "status", "--out"])
                    .arg(&out)
                    .arg(&jsonl)
                    .spawn()
                    .unwrap(),
            );
            let cell = |u: &Usage| {
                format!(
                    "{:.2} s, {:.2} s CPU, {} MiB",
                    u.wall.as_secs_f64(),
                    u.cpu.as_secs_f64(),
                    mib(u.peak_rss_kib)
                )
            };
            println!(
                "| {lines} | {build} | {} | {} | {} | {} |",
                cell(&check),
                cell(&check_csv),
                cell(&record),
                cell(&status)
            );
            figures.push([check, check_csv, record, status]);
        }
        if let [first, .., last] = &figures[..] {
            let ratio = |i: usize| {
                format!(
                    "{:.2}× time, {:.2}× CPU, {:.3}× memory",
                    last[i].wall.as_secs_f64() / first[i].wall.as_secs_f64(),
                    last[i].cpu.as_secs_f64() / first[i].cpu.as_secs_f64(),
                    last[i].peak_rss_kib as f64 / first[i].peak_rss_kib as f64
                )
            };
            ratios.push(format!(
                "| {lines} | {} | {} | {} | {} |",
                ratio(0),
                ratio(1),
                ratio(2),
                ratio(3)
            ));
        }
    }
    if !ratios.is_empty() {
        println!("\nafter / before\n");
        println!("| lines | check | check CSV | record | status |");
        println!("| --- | --- | --- | --- | --- |");
        for row in ratios {
            println!("{row}");
        }
    }
}

/// A real run of `--lines N` (default 1,000,000) for each build, stopped once
/// `--jobs J` (default 100,000) jobs downloaded: the time to the first submit, the jobs per
/// second from there, the peak resident set, and the resident set every `--every S`
/// seconds (default 60).
pub(crate) fn real_run() {
    let lines: usize = arg("--lines").map_or(1_000_000, |s| s.parse().unwrap());
    let jobs: u64 = arg("--jobs").map_or(100_000, |s| s.parse().unwrap());
    let every: u64 = arg("--every").map_or(60, |s| s.parse().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = scaled_sandbox(&runtime);
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), "real", lines);
    println!(
        "{lines} lines, stopped after {jobs} jobs downloaded; sandbox at --time-scale 0.001, `batch run --concurrency 64`\n"
    );
    let mut summary = Vec::new();
    for (build, path) in builds() {
        let store = dir.path().join(format!("real-{build}.sqlite3"));
        let out = dir.path().join(format!("real-{build}"));
        std::fs::create_dir(&out).unwrap();
        let mut child = videohub_on(&path, &hub, &store)
            .args(["batch", "run", "--concurrency", "64", "--out"])
            .arg(&out)
            .arg(&file)
            .spawn()
            .unwrap();
        let start = Instant::now();
        let (submits, downloads) = {
            let counters = hub.counters();
            (counters.submits_received, counters.downloads)
        };
        let mut first_submit = None;
        let mut peak = 0;
        let mut curve = Vec::new();
        let mut next_sample = 0;
        let done = loop {
            let counters = hub.counters();
            let done = counters.downloads - downloads;
            let (hwm, rss) = (
                status_kib(child.id(), "VmHWM"),
                status_kib(child.id(), "VmRSS"),
            );
            peak = peak.max(hwm);
            let elapsed = start.elapsed();
            if first_submit.is_none() && counters.submits_received > submits {
                first_submit = Some(elapsed);
            }
            if elapsed.as_secs() >= next_sample {
                curve.push((elapsed.as_secs(), rss, done));
                next_sample += every;
            }
            if done >= jobs || child.try_wait().unwrap().is_some() {
                break (done, elapsed);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let _ = child.kill();
        let _ = child.wait();
        let (jobs_done, elapsed) = done;
        let started = first_submit.unwrap_or_default();
        let rate = jobs_done as f64 / (elapsed - started).as_secs_f64();
        println!("{build}: resident memory over the run\n");
        println!("| s | RSS (MiB) | jobs downloaded |");
        println!("| --- | --- | --- |");
        for (secs, rss, done) in curve {
            println!("| {secs} | {} | {done} |", mib(rss));
        }
        println!();
        summary.push(format!(
            "| {build} | {:.1} | {jobs_done} | {:.1} | {rate:.1} | {} |",
            started.as_secs_f64(),
            elapsed.as_secs_f64(),
            mib(peak)
        ));
    }
    println!(
        "| build | to the first submit (s) | jobs downloaded | wall (s) | jobs / s after the first submit | peak RSS (MiB) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for row in summary {
        println!("{row}");
    }
}
