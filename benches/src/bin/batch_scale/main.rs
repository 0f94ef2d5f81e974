//! Batches at scale (issue 17): the real `videohub batch run` against a sandbox in this
//! process at `--time-scale 0.001` (tasks of tens of milliseconds), one fresh journal per
//! run. Prints jobs/s, CPU of the `videohub` process per job, its peak RSS, and the
//! journal's size per job; then the resident memory per job waiting on the hub, at 64 and
//! 512 in flight; then 3 workers sharing one Postgres journal.
//!
//! ```sh
//! cargo build --release -p videohub-cli
//! cargo run --release -p videohub-benches --bin batch_scale -- rate --lines 1000,10000
//! cargo run --release -p videohub-benches --bin batch_scale -- memory
//! cargo run --release -p videohub-benches --bin batch_scale -- postgres --lines 3000  # Postgres
//! ```
//!
//! `postgres` uses `VIDEOHUB_TEST_POSTGRES_URL`, or starts the throwaway server of
//! `scripts/test-postgres.sh`.
//!
//! The million-line study (`million.rs`) compares two builds; `benches/million/run.sh`
//! builds both and runs it:
//!
//! ```sh
//! cargo run --release -p videohub-benches --bin batch_scale -- million [--before PATH] [--lines 1000,100000,1000000]
//! cargo run --release -p videohub-benches --bin batch_scale -- million-run [--before PATH] [--lines 1000000] [--jobs 100000]
//! ```

#[path = "../../hub_common.rs"]
mod common;
mod million;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, batch_file, videohub};
use videohub_sandbox::{FaultSpec, Sandbox, SandboxHandle, TaskDuration};

/// A run's folder: a batch file of `lines` lines tagged `tag`, and an empty `out` folder.
struct RunFolder {
    dir: tempfile::TempDir,
    file: PathBuf,
    out: PathBuf,
}

impl RunFolder {
    fn new(tag: &str, lines: usize) -> RunFolder {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let file = batch_file(dir.path(), tag, lines);
        RunFolder { dir, file, out }
    }
}

fn batch(hub: &SandboxHandle, store: &str, file: &Path, out: &Path, concurrency: usize) -> Child {
    Command::new(videohub())
        .args(["--base-url", hub.url(), "--api-key", "bench"])
        .env("VIDEOHUB_STORE", store)
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

/// What a child process used: its peak resident set (KiB) and CPU time, sampled from
/// `/proc` every 10 ms until it ends, and how long it ran.
struct Usage {
    peak_rss_kib: u64,
    cpu: Duration,
    wall: Duration,
}

fn usage_of(child: Child) -> Usage {
    watch(child, || false)
}

/// A `VmXxx:` figure of process `pid` in KiB (0 once it is gone).
fn status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// [`usage_of`] `child`, killed as soon as `done` says so.
fn watch(mut child: Child, mut done: impl FnMut() -> bool) -> Usage {
    let start = Instant::now();
    let stat = format!("/proc/{}/stat", child.id());
    let tick = 100.0; // USER_HZ on Linux
    let (mut peak, mut cpu) = (0, Duration::ZERO);
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(status_kib(child.id(), "VmHWM"));
        if let Ok(text) = std::fs::read_to_string(&stat) {
            // The fields after the command name: utime and stime are the 12th and 13th.
            let fields: Vec<&str> = text
                .rsplit_once(')')
                .map_or("", |(_, r)| r)
                .split_whitespace()
                .collect();
            let ticks: u64 =
                fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
            cpu = Duration::from_secs_f64(ticks as f64 / tick);
        }
        if done() {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Usage {
        peak_rss_kib: peak,
        cpu,
        wall: start.elapsed(),
    }
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "mp4"))
        })
        .count()
}

fn journal_bytes(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn scaled_sandbox(runtime: &tokio::runtime::Runtime) -> SandboxHandle {
    runtime
        .block_on(
            Sandbox::builder()
                .api_key("bench")
                .time_scale(0.001)
                .faults(FaultSpec::none().seed(17))
                .start(),
        )
        .unwrap()
}

fn lines_arg(default: &str) -> Vec<usize> {
    arg("--lines")
        .unwrap_or_else(|| default.to_owned())
        .split(',')
        .map(|n| n.parse().expect("--lines N[,N…]"))
        .collect()
}

fn rate() {
    let concurrency: usize = arg("--concurrency").map_or(64, |s| s.parse().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = scaled_sandbox(&runtime);
    println!(
        "sandbox at --time-scale 0.001 (1,000 tasks held at most), --concurrency {concurrency}\n"
    );
    println!(
        "| lines | wall (s) | jobs / s | CPU (s) | CPU per job (ms) | peak RSS (KiB) | journal per job (bytes) | files | tasks created |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for lines in lines_arg("1000,10000") {
        let run = RunFolder::new(&format!("rate-{lines}"), lines);
        let (file, out) = (&run.file, &run.out);
        let store = run.dir.path().join("journal.sqlite3");
        let before = hub.counters().tasks_created;
        let used = usage_of(batch(
            &hub,
            &store.to_string_lossy(),
            file,
            out,
            concurrency,
        ));
        println!(
            "| {lines} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {} | {} | {} |",
            used.wall.as_secs_f64(),
            lines as f64 / used.wall.as_secs_f64(),
            used.cpu.as_secs_f64(),
            used.cpu.as_secs_f64() * 1000.0 / lines as f64,
            used.peak_rss_kib,
            journal_bytes(&store) / lines as u64,
            files_in(out),
            hub.counters().tasks_created - before,
        );
    }
}

fn memory() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Tasks of 6 s: every job of a run waits on the hub at once.
    let hub = runtime
        .block_on(
            Sandbox::builder()
                .api_key("bench")
                .max_tasks(usize::MAX)
                .durations(TaskDuration::Fixed(Duration::from_secs(6)))
                .faults(FaultSpec::none().seed(18))
                .start(),
        )
        .unwrap();
    println!("tasks of 6 s, as many lines as in flight\n");
    println!("| in flight | peak RSS (KiB) | per job in flight against 1 (KiB) |");
    println!("| --- | --- | --- |");
    let mut base = None;
    for concurrency in [1, 64, 512] {
        let run = RunFolder::new(&format!("memory-{concurrency}"), concurrency);
        let (file, out) = (&run.file, &run.out);
        let store = run.dir.path().join("journal.sqlite3");
        let used = usage_of(batch(
            &hub,
            &store.to_string_lossy(),
            file,
            out,
            concurrency,
        ));
        assert_eq!(files_in(out), concurrency);
        let one = *base.get_or_insert(used.peak_rss_kib);
        let per_job = if concurrency > 1 {
            format!(
                "{:.1}",
                (used.peak_rss_kib as f64 - one as f64) / (concurrency - 1) as f64
            )
        } else {
            "–".to_owned()
        };
        println!("| {concurrency} | {} | {per_job} |", used.peak_rss_kib);
    }
}

fn postgres() {
    let url = common::postgres_url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = scaled_sandbox(&runtime);
    println!("3 workers (`batch run --concurrency 64` each) on one Postgres journal\n");
    println!(
        "| lines | wall (s) | jobs / s | CPU of the 3 (s) | CPU per job (ms) | files | tasks created | duplicate tasks |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for lines in lines_arg("3000") {
        let run = RunFolder::new(&format!("pg-{lines}"), lines);
        let (file, out) = (&run.file, &run.out);
        let store = common::fresh_database(&url, &format!("bench_scale_{lines}"));
        let before = hub.counters();
        let start = Instant::now();
        let workers: Vec<std::thread::JoinHandle<Usage>> = (0..3)
            .map(|_| {
                let child = batch(&hub, &store, file, out, 64);
                std::thread::spawn(move || usage_of(child))
            })
            .collect();
        let cpu: Duration = workers.into_iter().map(|w| w.join().unwrap().cpu).sum();
        let wall = start.elapsed().as_secs_f64();
        let after = hub.counters();
        println!(
            "| {lines} | {wall:.1} | {:.1} | {:.1} | {:.2} | {} | {} | {} |",
            lines as f64 / wall,
            cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1000.0 / lines as f64,
            files_in(out),
            after.tasks_created - before.tasks_created,
            after.duplicate_tasks - before.duplicate_tasks,
        );
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("rate") => rate(),
        Some("memory") => memory(),
        Some("postgres") => postgres(),
        Some("million") => million::study(),
        Some("million-run") => million::real_run(),
        _ => eprintln!(
            "usage: batch_scale rate|memory|postgres|million|million-run [--lines N,N] [--concurrency N]"
        ),
    }
}
