//! What the sandbox measurements share: process figures from /proc, percentiles, and a
//! sandbox served from a child process (so that the parent's memory is the client's alone).

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The value after `name` on the command line, e.g. `arg("--seed")` for `--seed 7`.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A `VmXxx:` line of /proc/self/status, in KiB.
pub fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The resident set now, in KiB.
pub fn rss_kib() -> u64 {
    status_kib("VmRSS")
}

/// The peak resident set so far, in KiB.
pub fn peak_rss_kib() -> u64 {
    status_kib("VmHWM")
}

/// Resets the peak resident set to the current one (Linux: `echo 5 > clear_refs`).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// User and system CPU time of this process so far (from /proc/self/stat, 100 ticks/s).
pub fn cpu_time() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after `)`+state.
    let tick = Duration::from_millis(10);
    (tick * ticks(11) as u32, tick * ticks(12) as u32)
}

/// The `p`-quantile (0 to 1) of sorted values, nearest rank.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The mean of values.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The median of values (sorted here).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile(&sorted, 0.5)
}

/// A sandbox in a child process: this program re-run with `--serve` and the arguments,
/// which prints the API's URL on its first line and serves until its stdin closes.
pub struct ChildSandbox {
    child: Child,
    /// The API's base URL.
    pub url: String,
}

impl ChildSandbox {
    /// Starts `current_exe --serve args…`.
    pub fn start(args: &[&str]) -> ChildSandbox {
        let exe = std::env::current_exe().expect("the current executable");
        let mut child = Command::new(exe)
            .arg("--serve")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the sandbox process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sandbox's URL");
        ChildSandbox {
            child,
            url: line.trim().to_owned(),
        }
    }

    /// The counters, from `GET /__sandbox/counters`, as JSON text.
    pub fn counters(&self) -> String {
        let output = Command::new("curl")
            .args(["-s", &format!("{}/__sandbox/counters", self.url)])
            .output();
        output.map_or_else(
            |e| e.to_string(),
            |o| String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    }
}

impl Drop for ChildSandbox {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// In the child: prints the URL, then serves until stdin closes.
pub async fn serve_until_stdin_closes(sandbox: videohub_sandbox::SandboxHandle) {
    println!("{}", sandbox.url());
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin()
            .read_line(&mut sink)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            sink.clear();
        }
    })
    .await
    .ok();
    sandbox.shutdown().await;
}

/// What the benches that save one large video start from (`download`, `upload`): the video
/// made by a sandbox in a child process, and the command line's `--size-mb` (1000 by
/// default), `--rounds` (3) and `--dir`.
pub struct BigVideo {
    /// The runtime the bench runs its saves on.
    pub runtime: tokio::runtime::Runtime,
    /// The video's size in bytes.
    pub size: u64,
    /// How many rounds to time.
    pub rounds: usize,
    /// Where the saved files go (created).
    pub dir: PathBuf,
    /// The sandbox that made the video, serving it while the bench runs.
    pub server: ChildSandbox,
    /// A client of that sandbox.
    pub client: videohub::Client,
    /// The finished task's output: the video.
    pub output: videohub::Output,
}

impl BigVideo {
    /// Makes the video, or, in the child started with `--serve`, serves it until stdin
    /// closes and returns `None`. `dir` is where files go without `--dir`.
    pub fn make(dir: &str) -> Option<BigVideo> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let size: u64 =
            arg("--size-mb").map_or(1000, |s| s.parse().expect("--size-mb")) * 1_000_000;
        if std::env::args().any(|a| a == "--serve") {
            runtime.block_on(async {
                let sandbox = videohub_sandbox::Sandbox::builder()
                    .time_scale(0.0)
                    .video_size(size)
                    .task_retention(Duration::from_secs(3600))
                    .start()
                    .await
                    .expect("sandbox");
                serve_until_stdin_closes(sandbox).await;
            });
            return None;
        }
        let rounds: usize = arg("--rounds").map_or(3, |s| s.parse().expect("--rounds"));
        let dir = PathBuf::from(arg("--dir").unwrap_or_else(|| dir.into()));
        std::fs::create_dir_all(&dir).expect("the output directory");
        let server = ChildSandbox::start(&["--size-mb", &(size / 1_000_000).to_string()]);
        let client = videohub::Client::builder()
            .api_key("bench")
            .base_url(&server.url)
            .build()
            .expect("client");
        let output = runtime.block_on(async {
            let models = videohub_sandbox::compiled_models();
            let input = input_for(&models, "veo-3.1", "a big one");
            let task = client
                .submit_unchecked(videohub::Capability::Video.endpoint(), "veo-3.1", input)
                .await
                .expect("submit");
            task.wait().await.expect("a video")
        });
        Some(BigVideo {
            runtime,
            size,
            rounds,
            dir,
            server,
            client,
            output,
        })
    }
}

/// The smallest and largest of `values`, as `min–max` rounded.
pub fn range(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    format!("{min:.0}–{max:.0}")
}

/// The `videohub` binary the batch benches run: `--videohub PATH`, or the release build.
pub fn videohub() -> PathBuf {
    let path = arg("--videohub").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/videohub"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} not found: `cargo build --release -p videohub-cli` first, or pass --videohub PATH",
        path.display()
    );
    path
}

/// A batch file of `lines` lines in `dir` whose inputs differ from those of any other `tag`
/// (the sandbox counts a task whose input it saw before as a duplicate).
pub fn batch_file(dir: &Path, tag: &str, lines: usize) -> PathBuf {
    let text: Vec<String> = (0..lines)
        .map(|i| {
            format!(
                r#"{{"model": "wan-2.7", "input": {{"prompt": "{tag} shot {i}", "seed": {i}}}}}"#
            )
        })
        .collect();
    let path = dir.join(format!("{tag}.jsonl"));
    std::fs::write(&path, text.join("\n")).unwrap();
    path
}

/// The example input of a model the sandbox serves, with a prompt of our own.
pub fn input_for(
    sandbox_models: &[videohub::ModelSchema],
    model: &str,
    prompt: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let schema = sandbox_models
        .iter()
        .find(|m| m.id == model)
        .expect("a model the sandbox serves");
    let mut input = schema.example_input();
    assert!(
        input.contains_key("prompt"),
        "{model} has no prompt in its example"
    );
    input.insert("prompt".into(), prompt.into());
    input
}

/// The Postgres server of `VIDEOHUB_TEST_POSTGRES_URL`, or the throwaway one
/// `scripts/test-postgres.sh` starts.
pub fn postgres_url() -> String {
    std::env::var("VIDEOHUB_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../scripts/test-postgres.sh");
        let out = Command::new(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    })
}

/// A new empty database `name` on the server at `url` (dropped first if it exists); its URL.
pub fn fresh_database(url: &str, name: &str) -> String {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        let out = Command::new("psql")
            .args([url, "-qc", &sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    format!("{}/{name}", url.rsplit_once('/').unwrap().0)
}
