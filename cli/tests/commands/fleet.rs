//! A fleet of `batch run` workers, separate processes of the binary on one journal, through
//! the faults a fleet meets: a folder of its own per worker, a clock ten minutes ahead, the
//! Postgres server stopped for a minute, a worker stopped with SIGTERM on another host, and
//! a full disk. Whatever happens, each line is paid for once and every file is whole.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use sha2::Digest;
use videohub_sandbox::TaskDuration;
use videohub_tests::postgres_database;

use crate::common::Hub;

/// A JSON-lines batch of `n` lines of veo-3.1 in `dir`, every line different.
fn batch_file(dir: &Path, n: usize) -> PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"model": "veo-3.1", "input": {{"prompt": "shot {i}"}}}}"#))
        .collect();
    let path = dir.join("fleet.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

/// A `batch run` worker running in the background, its output kept in files.
struct Worker {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// What a worker left when it ended.
struct Ended {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// How a worker is started.
#[derive(Clone, Copy)]
struct Start<'a> {
    hub: &'a Hub,
    store: &'a str,
    file: &'a Path,
    out: &'a Path,
    concurrency: usize,
    /// Where its output goes.
    logs: &'a Path,
}

impl<'a> Start<'a> {
    /// Workers of `hub` on the journal `store`, running `file` into `out` three lines at a
    /// time, their output in `logs`.
    fn new(hub: &'a Hub, store: &'a str, file: &'a Path, out: &'a Path, logs: &'a Path) -> Self {
        Start {
            hub,
            store,
            file,
            out,
            concurrency: 3,
            logs,
        }
    }

    /// Starts the worker `name`.
    fn spawn(&self, name: &str) -> Worker {
        self.spawn_through(name, &[])
    }

    /// Starts the worker `name` through `through`, a command the binary and its arguments
    /// are handed to (`faketime -f +10m`, `unshare …`).
    fn spawn_through(&self, name: &str, through: &[OsString]) -> Worker {
        let binary = OsString::from(assert_cmd::cargo::cargo_bin("videohub"));
        let mut command = match through.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let stdout = self.logs.join(format!("{name}.out"));
        let stderr = self.logs.join(format!("{name}.err"));
        let child = command
            .env_remove("MOUNTSEA_API_KEY")
            .env("VIDEOHUB_STORE", self.store)
            .args(["--base-url", self.hub.handle.url(), "--api-key", "test-key"])
            .args(["batch", "run", "--json", "--concurrency"])
            .arg(self.concurrency.to_string())
            .arg("--out")
            .arg(self.out)
            .arg(self.file)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        Worker {
            child,
            stdout,
            stderr,
        }
    }
}

/// Waits for the end of each of `workers`, at most `limit` each.
fn wait_all(workers: Vec<Worker>, limit: Duration) -> Vec<Ended> {
    workers.into_iter().map(|w| w.wait(limit)).collect()
}

impl Worker {
    /// Waits for the worker's end, at most `limit` (then kills it and fails).
    fn wait(mut self, limit: Duration) -> Ended {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "a worker did not end within {limit:?}:\n{}",
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Ended {
            status,
            stdout: std::fs::read_to_string(&self.stdout).unwrap(),
            stderr: std::fs::read_to_string(&self.stderr).unwrap(),
        }
    }
}

/// The answer of `sql` on the Postgres journal `url`, one line per row, columns apart by `|`.
fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// [`psql`], or what went wrong (e.g. no journal there yet).
fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .arg(url)
        .args(["-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql, from Debian's postgresql-client package");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8(output.stdout).unwrap().trim().to_owned())
}

/// The number `sql` counts.
fn count(url: &str, sql: &str) -> usize {
    psql(url, sql).parse().unwrap()
}

/// Whether `sql` counts at least `n`; `false` while it cannot be answered (the first
/// worker has not made the journal yet).
fn counts_at_least(url: &str, sql: &str, n: usize) -> bool {
    try_psql(url, sql).is_ok_and(|answer| answer.parse::<usize>().is_ok_and(|c| c >= n))
}

/// Waits until `ready`, at most `limit`.
fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What every fleet run must leave: `lines` jobs, each downloaded once from a task of its
/// own, submitted once, its recorded checksum its file's, and no line reported stopped or
/// of unknown outcome by any worker.
fn assert_paid_once_and_whole(hub: &Hub, url: &str, lines: usize, ended: &[Ended]) {
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created as usize, lines, "{counters:?}");
    assert_eq!(counters.duplicate_tasks, 0, "{counters:?}");
    assert_eq!(count(url, "SELECT count(*) FROM jobs"), lines);
    let states = psql(
        url,
        "SELECT state || ' ' || count(*) FROM jobs GROUP BY state",
    );
    assert_eq!(states, format!("downloaded {lines}"));
    let resent = count(
        url,
        "SELECT count(*) FROM (SELECT job_id FROM job_events WHERE state = 'submitting' \
         GROUP BY job_id HAVING count(*) > 1) AS twice",
    );
    assert_eq!(resent, 0, "a job submitted twice");
    for row in psql(url, "SELECT file_path || '|' || sha256 FROM jobs").lines() {
        let (path, sha256) = row.split_once('|').unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(bytes.len() as u64, hub.handle.video_size(), "{path}");
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&bytes)),
            sha256,
            "the checksum recorded for {path} is not the file's"
        );
    }
    for worker in ended {
        for line in worker.stdout.lines() {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(
                line["status"] == "downloaded" || line["status"] == "reused",
                "{line}\n{}",
                worker.stderr
            );
        }
    }
}

/// The logs folder of a test: a folder of its own, kept for a look when it fails.
fn logs(dir: &Path) -> PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    logs
}

#[test]
fn workers_with_their_own_folders_pay_once_per_line_and_each_folder_gets_every_file() {
    let Some(store) = postgres_database("fleet_folders") else {
        return;
    };
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_millis(300))));
    let dir = tempfile::tempdir().unwrap();
    let lines = 24;
    let file = batch_file(dir.path(), lines);
    let (logs, folders) = (
        logs(dir.path()),
        ["a", "b", "c"].map(|n| dir.path().join(n)),
    );
    let start = Start::new(&hub, &store, &file, &folders[0], &logs);
    let workers: Vec<Worker> = folders
        .iter()
        .enumerate()
        .map(|(i, out)| Start { out, ..start }.spawn(&format!("worker-{i}")))
        .collect();
    let ended = wait_all(workers, Duration::from_secs(120));
    for worker in &ended {
        assert_eq!(worker.status.code(), Some(0), "{}", worker.stderr);
        assert_eq!(worker.stdout.lines().count(), lines, "{}", worker.stdout);
    }
    assert_paid_once_and_whole(&hub, &store, lines, &ended);
    for folder in &folders {
        let files: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), lines, "{}: {files:?}", folder.display());
        for file in files {
            assert_eq!(
                std::fs::metadata(&file).unwrap().len(),
                hub.handle.video_size()
            );
        }
    }
}

/// The `faketime` command (Debian's `faketime` package), installed by
/// `scripts/test-faketime.sh` when missing.
fn faketime() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-faketime.sh");
    let found = Command::new(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        found.status.success(),
        "this test runs a worker with its clock ahead through libfaketime, and {} could not \
         install it: {}\ninstall Debian's faketime package (`apt-get install faketime`)",
        script.display(),
        String::from_utf8_lossy(&found.stderr)
    );
    String::from_utf8(found.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_worker_ten_minutes_ahead_takes_no_lease_of_the_others() {
    let Some(store) = postgres_database("fleet_clock") else {
        return;
    };
    let faketime = faketime();
    let hub = Hub::start(|b| {
        b.durations(TaskDuration::Fixed(Duration::from_millis(400)))
            .faults(
                "seed=5,rate=0.3,kinds=slow,on=submit+download,slow=1s"
                    .parse()
                    .unwrap(),
            )
    });
    let dir = tempfile::tempdir().unwrap();
    let lines = 30;
    let file = batch_file(dir.path(), lines);
    let (logs, out) = (logs(dir.path()), dir.path().join("out"));
    let start = Start::new(&hub, &store, &file, &out, &logs);
    let ahead: Vec<OsString> = [faketime.as_str(), "-f", "+10m"]
        .map(OsString::from)
        .to_vec();
    let workers: Vec<Worker> = (0..3)
        .map(|i| {
            let through = if i == 0 { &ahead[..] } else { &[] };
            start.spawn_through(&format!("worker-{i}"), through)
        })
        .collect();
    let ended = wait_all(workers, Duration::from_secs(180));
    for worker in &ended {
        assert_eq!(worker.status.code(), Some(0), "{}", worker.stderr);
    }
    assert_paid_once_and_whole(&hub, &store, lines, &ended);
    assert_eq!(
        hub.handle.counters().downloads as usize,
        lines,
        "a file downloaded twice"
    );
    // The worker ahead did work, on its own clock: its events are dated ten minutes on.
    let ahead = count(
        &store,
        "SELECT count(*) FROM job_events WHERE at > \
         CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) + 300000",
    );
    assert!(ahead > 0, "the worker ahead recorded nothing");
}

/// A Postgres server of this test's own (`scripts/test-postgres.sh` with
/// `VIDEOHUB_TEST_POSTGRES_DIR`): on a Unix socket in a folder of its own, so that stopping
/// it disturbs no other test. Stopped when dropped.
struct OwnServer {
    dir: PathBuf,
    url: String,
}

impl OwnServer {
    fn start(dir: &Path) -> OwnServer {
        // The server's own user enters the folder.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let dir = dir.join("postgres");
        let url = own_server(&dir, &[]);
        OwnServer { dir, url }
    }

    /// Runs the script for this server with `args`; what it prints.
    fn script(&self, args: &[&str]) -> String {
        own_server(&self.dir, args)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.script(&["stop"]);
    }
}

/// Runs `scripts/test-postgres.sh` with `args` for the server in `dir`; what it prints.
fn own_server(dir: &Path, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-postgres.sh");
    let run = Command::new(&script)
        .args(args)
        .env("VIDEOHUB_TEST_POSTGRES_DIR", dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        run.status.success(),
        "{} could not start or stop a Postgres server: {}\ninstall Debian's postgresql \
         package (`apt-get install postgresql`), or set VIDEOHUB_SKIP_POSTGRES_TESTS=1",
        script.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_postgres_server_stopped_for_a_minute_mid_batch_loses_and_doubles_nothing() {
    if std::env::var("VIDEOHUB_SKIP_POSTGRES_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: VIDEOHUB_SKIP_POSTGRES_TESTS=1");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = OwnServer::start(dir.path());
    let store = server.url.clone();
    let hub = Hub::start(|b| {
        b.durations(TaskDuration::Fixed(Duration::from_secs(2)))
            .faults(
                "seed=9,rate=0.3,kinds=slow,on=submit+download,slow=1s"
                    .parse()
                    .unwrap(),
            )
    });
    let lines = 36;
    let file = batch_file(dir.path(), lines);
    let (logs, out) = (logs(dir.path()), dir.path().join("out"));
    let start = Start::new(&hub, &store, &file, &out, &logs);
    let workers: Vec<Worker> = (0..3)
        .map(|i| start.spawn(&format!("worker-{i}")))
        .collect();
    wait_until(
        "a third of the tasks created",
        Duration::from_secs(60),
        || hub.handle.counters().tasks_created as usize >= lines / 3,
    );
    server.script(&["stop"]);
    std::thread::sleep(Duration::from_secs(60));
    server.script(&[]);
    let ended = wait_all(workers, Duration::from_secs(240));
    for worker in &ended {
        assert_eq!(worker.status.code(), Some(0), "{}", worker.stderr);
        assert!(
            worker.stderr.contains("cannot reach the journal"),
            "the outage was not told: {}",
            worker.stderr
        );
        assert!(!worker.stderr.contains("locked"), "{}", worker.stderr);
    }
    assert_paid_once_and_whole(&hub, &store, lines, &ended);
}

#[test]
fn a_worker_stopped_with_sigterm_on_another_host_hands_its_jobs_over_at_once() {
    let Some(store) = postgres_database("fleet_sigterm") else {
        return;
    };
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(3))));
    let dir = tempfile::tempdir().unwrap();
    let lines = 18;
    let file = batch_file(dir.path(), lines);
    let (logs, out) = (logs(dir.path()), dir.path().join("out"));
    let start = Start::new(&hub, &store, &file, &out, &logs);
    // In a UTS namespace of its own, with a host name of its own: its process cannot be
    // seen by the other worker, which must rely on what the stopped one gives up.
    let elsewhere = start.spawn_through(
        "elsewhere",
        &[
            "unshare",
            "--uts",
            "sh",
            "-c",
            "hostname elsewhere && exec \"$@\"",
            "sh",
        ]
        .map(OsString::from),
    );
    let held_elsewhere = "FROM jobs WHERE owner LIKE 'elsewhere/%' AND state IN \
         ('pending', 'submitting', 'submitted', 'completed')";
    wait_until(
        "the worker elsewhere holds jobs",
        Duration::from_secs(60),
        || counts_at_least(&store, &format!("SELECT count(*) {held_elsewhere}"), 3),
    );
    let here = start.spawn("here");
    wait_until(
        "the worker here holds jobs",
        Duration::from_secs(60),
        || {
            counts_at_least(
                &store,
                "SELECT count(*) FROM jobs WHERE owner IS NOT NULL AND owner NOT LIKE 'elsewhere/%'",
                3,
            )
        },
    );
    let held: HashSet<String> = psql(&store, &format!("SELECT id {held_elsewhere}"))
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!held.is_empty());
    let terminate = Command::new("kill")
        .args(["-TERM", &elsewhere.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminate.success());
    let stopped_at = Instant::now();
    let ids = held
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Taken over: final, or held by the worker here.
    wait_until(
        "the jobs of the stopped worker taken over",
        Duration::from_secs(10),
        || {
            count(
                &store,
                &format!(
                    "SELECT count(*) FROM jobs WHERE id IN ({ids}) AND state IN \
                     ('pending', 'submitting', 'submitted', 'completed') \
                     AND (owner IS NULL OR owner LIKE 'elsewhere/%')"
                ),
            ) == 0
        },
    );
    eprintln!("taken over {:?} after SIGTERM", stopped_at.elapsed());
    let stopped = elsewhere.wait(Duration::from_secs(60));
    assert_eq!(stopped.status.code(), Some(143), "{}", stopped.stderr);
    assert!(stopped.stderr.contains("stopping"), "{}", stopped.stderr);
    let finished = here.wait(Duration::from_secs(180));
    assert_eq!(finished.status.code(), Some(0), "{}", finished.stderr);
    // The stopped worker reports the jobs it let go, state kept: no line of it failed.
    for line in stopped.stdout.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            line["status"] == "downloaded" || line["status"] == "let go",
            "{line}"
        );
    }
    assert_paid_once_and_whole(&hub, &store, lines, std::slice::from_ref(&finished));
}

#[test]
fn a_worker_whose_disk_is_full_stops_claiming_and_leaves_the_lines_to_the_others() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_millis(300))));
    let dir = tempfile::tempdir().unwrap();
    let lines = 40;
    let file = batch_file(dir.path(), lines);
    let (logs, out) = (logs(dir.path()), dir.path().join("out"));
    std::fs::create_dir_all(&out).unwrap();
    let store = dir.path().join("journal.sqlite3");
    let store = store.to_str().unwrap();
    let start = Start::new(&hub, store, &file, &out, &logs);
    // One worker's --out is a full tmpfs in a mount namespace of its own: the same folder by
    // name, another disk, as on another machine.
    let mut through: Vec<OsString> = [
        "unshare",
        "-m",
        "sh",
        "-c",
        "out=\"$1\"; shift; mount -t tmpfs -o size=64k tmpfs \"$out\" || exit 97; \
         dd if=/dev/zero of=\"$out/filler\" bs=4k 2>/dev/null; exec \"$@\"",
        "sh",
    ]
    .map(OsString::from)
    .to_vec();
    through.push(out.clone().into());
    let full = start.spawn_through("full", &through);
    wait_until(
        "the full worker meets its disk",
        Duration::from_secs(60),
        || {
            std::fs::read_to_string(logs.join("full.err"))
                .is_ok_and(|e| e.contains("cannot write in"))
        },
    );
    // Two at a time, the others' lines take longer than the full worker's first pause.
    let healthy = Start {
        concurrency: 2,
        ..start
    }
    .spawn("healthy")
    .wait(Duration::from_secs(120));
    let full = full.wait(Duration::from_secs(120));
    assert_ne!(
        full.status.code(),
        Some(97),
        "this test needs `unshare -m` and `mount -t tmpfs` (root, or CAP_SYS_ADMIN)"
    );
    assert_eq!(healthy.status.code(), Some(0), "{}", healthy.stderr);
    assert_eq!(full.status.code(), Some(0), "{}", full.stderr);
    // It paused, tried its folder once the pause was over, found it full, paused again.
    assert!(
        full.stderr.matches("taking no new job").count() >= 2,
        "{}",
        full.stderr
    );
    assert!(
        !full.stderr.contains("takes files again"),
        "{}",
        full.stderr
    );
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created as usize, lines, "{counters:?}");
    let jobs = hub.jobs_in(store);
    assert_eq!(jobs.len(), lines);
    for job in &jobs {
        assert_eq!(job["state"], "downloaded", "{job}");
        let path = job["file_path"].as_str().unwrap();
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            hub.handle.video_size()
        );
    }
    // The full worker stopped claiming at its first failed write: the downloads that failed
    // are those of the jobs it held then (and of a claim each of its other workers may have
    // had under way).
    let mut failed = 0;
    for job in &jobs {
        let shown = hub
            .videohub()
            .env("VIDEOHUB_STORE", store)
            .args(["jobs", "show", "--json", job["id"].as_str().unwrap()])
            .output()
            .unwrap();
        let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        failed += shown["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["detail"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("download failed"))
            })
            .count();
    }
    assert!(
        (1..=5).contains(&failed),
        "{failed} failed downloads: {}",
        full.stderr
    );
}
