//! Faults of the local machine through the binary: a destination that cannot be written
//! costs no submit; a journal locked across the submit's answer loses no task id; a
//! download killed in the middle is continued by the next process with a range request and
//! leaves no part file; a batch run again into another folder pays for nothing again.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec};

use crate::common::Hub;

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "never saw: {what}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The binary pointed at `hub`, as a child process (for kills), with its state directory in
/// `state`.
fn spawn(hub: &Hub, state: &Path, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .env("XDG_STATE_HOME", state)
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Part files (`.NAME.XXXXXX.part`) in `dir`.
fn part_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with('.') && name.ends_with(".part")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// A destination that cannot be written.

/// Runs `args` of the binary with `dir` mounted read-only, in a mount namespace of its own
/// (the tests run as root, whom permissions do not stop). Fails the test, saying what it
/// needs, when the system cannot do that.
fn run_with_read_only(hub: &Hub, dir: &Path, args: &[&str]) -> Output {
    let probe = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            r#"mount --bind -o ro "$1" "$1" && ! touch "$1/probe" 2>/dev/null"#,
            "sh",
        ])
        .arg(dir)
        .output();
    match probe {
        Ok(probe) if probe.status.success() => {}
        other => panic!(
            "this test needs `unshare -m` and `mount --bind -o ro` (root, or CAP_SYS_ADMIN) to make a read-only folder: {other:?}"
        ),
    }
    assert!(!dir.join("probe").exists());
    Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            r#"d="$1"; shift; mount --bind -o ro "$d" "$d" && exec "$@""#,
            "sh",
        ])
        .arg(dir)
        .arg(assert_cmd::cargo::cargo_bin("videohub"))
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args(args)
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .output()
        .unwrap()
}

#[test]
fn a_read_only_destination_costs_no_submit() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("read-only");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("fox.mp4");

    let generate = run_with_read_only(
        &hub,
        &out,
        &[
            "generate",
            "veo-3.1",
            "--prompt",
            "a fox",
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(generate.status.code(), Some(2), "{}", stderr(&generate));
    let message = stderr(&generate);
    assert!(message.contains(&out.display().to_string()), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");

    let batch = dir.path().join("lines.jsonl");
    std::fs::write(
        &batch,
        "{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"a\"}}\n{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"b\"}}\n",
    )
    .unwrap();
    let run = run_with_read_only(
        &hub,
        &out,
        &[
            "batch",
            "run",
            batch.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(&out.display().to_string()),
        "{}",
        stderr(&run)
    );

    assert_eq!(hub.handle.counters().submits_received, 0);
    assert!(hub.jobs().is_empty(), "nothing recorded either");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

#[test]
fn batch_run_creates_a_missing_output_folder() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("lines.jsonl");
    std::fs::write(
        &batch,
        "{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"a\"}}\n",
    )
    .unwrap();
    let out = dir.path().join("new").join("nested");
    let run = hub
        .videohub()
        .args(["batch", "run"])
        .arg(&batch)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

// ---------------------------------------------------------------------------------------
// A journal locked across the submit's answer.

/// Holds the journal's write lock (`BEGIN EXCLUSIVE`) from another connection until
/// dropped.
struct HeldLock {
    release: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HeldLock {
    fn take(journal: &Path) -> HeldLock {
        let (locked, is_locked) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let url = format!("sqlite://{}", journal.display());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN EXCLUSIVE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                locked.send(()).unwrap();
                let _ = released.recv_timeout(Duration::from_secs(120));
                sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
            });
        });
        is_locked
            .recv_timeout(Duration::from_secs(30))
            .expect("the lock taken");
        HeldLock {
            release: Some(release),
            thread: Some(thread),
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A hub whose submits answer after `slow`, and a `generate` into a folder of its own.
fn generate_with_slow_submit(hub: &Hub, state: &Path, out: &Path, extra: &[&str]) -> Child {
    let mut args = vec![
        "generate",
        "veo-3.1",
        "--prompt",
        "a fox",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    spawn(hub, state, &args)
}

#[test]
fn a_journal_locked_for_30_s_across_the_submit_answer_loses_no_task() {
    let hub = Hub::start(|b| b.faults("kinds=slow,on=submit,slow=3s".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fox.mp4");
    let mut child = generate_with_slow_submit(&hub, dir.path(), &out, &[]);
    wait_until("the submit received", || {
        hub.handle.counters().submits_received == 1
    });
    let lock = HeldLock::take(&hub.journal());
    // Held across the answer (3 s) and twice the journal's busy timeout.
    std::thread::sleep(Duration::from_secs(30));
    drop(lock);
    let output = std::mem::replace(&mut child, Command::new("true").spawn().unwrap())
        .wait_with_output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let jobs = hub.jobs();
    assert_eq!(jobs[0]["state"], "downloaded", "{jobs:?}");
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        hub.handle.video_size()
    );
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 1, "{counters:?}");
    assert_eq!(counters.submits_received, 1, "{counters:?}");
}

#[test]
fn a_task_id_the_journal_cannot_take_is_kept_and_written_back_by_resume() {
    let hub = Hub::start(|b| b.faults("kinds=slow,on=submit,slow=2s".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fox.mp4");
    // --timeout bounds the wait, and so how long the task id's write is tried.
    let child = generate_with_slow_submit(&hub, dir.path(), &out, &["--timeout", "2s"]);
    wait_until("the submit received", || {
        hub.handle.counters().submits_received == 1
    });
    let lock = HeldLock::take(&hub.journal());
    let output = child.wait_with_output().unwrap();
    drop(lock);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    let kept_file = PathBuf::from(format!("{}.task-ids", hub.journal().display()));
    let kept = std::fs::read_to_string(&kept_file).unwrap();
    let kept: Value = serde_json::from_str(kept.lines().next().unwrap()).unwrap();
    let (job, task) = (
        kept["job_id"].as_str().unwrap(),
        kept["task_id"].as_str().unwrap(),
    );
    assert_eq!(kept["model"], "veo-3.1");
    assert_eq!(kept["hub"], hub.jobs()[0]["hub"]);
    assert_eq!(kept["input_sha256"].as_str().unwrap().len(), 64);
    assert!(message.contains(task), "{message}");
    assert!(
        message.contains(&kept_file.display().to_string()),
        "{message}"
    );
    let command = format!(
        "videohub --store {} jobs resume {job}",
        hub.journal().display()
    );
    assert!(message.contains(&command), "{message}");
    assert_eq!(hub.jobs()[0]["state"], "submitting");

    let resumed = hub
        .videohub()
        .args(["jobs", "resume", job])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let jobs = hub.jobs();
    assert_eq!(jobs[0]["state"], "downloaded", "{jobs:?}");
    assert_eq!(jobs[0]["task_id"], task);
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        hub.handle.video_size()
    );
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 1, "{counters:?}");
    assert_eq!(counters.submits_received, 1, "{counters:?}");
}

// ---------------------------------------------------------------------------------------
// A download killed in the middle.

/// A fault spec whose first download is slow (its first half at once, the rest after a
/// long pause) and whose second is not.
fn first_download_slow() -> FaultSpec {
    (0..10_000)
        .map(|seed| {
            FaultSpec::always([FaultKind::Slow])
                .seed(seed)
                .rate(0.5)
                .on([FaultPoint::Download])
                .slow(Duration::from_secs(120))
        })
        .find(|spec| {
            spec.fault_for(FaultPoint::Download, 0) == Some(FaultKind::Slow)
                && spec.fault_for(FaultPoint::Download, 1).is_none()
                && spec.fault_for(FaultPoint::Download, 2).is_none()
        })
        .expect("a seed")
}

/// A `generate` killed (SIGKILL) once its download holds bytes; returns the output path
/// and the part file left.
fn killed_mid_download(hub: &Hub, dir: &Path) -> (PathBuf, PathBuf) {
    let out = dir.join("fox.mp4");
    let mut child = spawn(
        hub,
        dir,
        &[
            "generate",
            "veo-3.1",
            "--prompt",
            "a fox",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    wait_until("half the file in the part file", || {
        part_files(dir)
            .iter()
            .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() >= hub.handle.video_size() / 2))
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let parts = part_files(dir);
    assert_eq!(parts.len(), 1, "{parts:?}");
    let job = &hub.jobs()[0];
    assert_eq!(job["state"], "completed");
    assert_eq!(job["part_file"], parts[0].display().to_string(), "recorded");
    assert!(!out.exists());
    (out, parts[0].clone())
}

#[test]
fn a_download_killed_midway_is_continued_with_a_range_and_leaves_no_part_file() {
    let hub = Hub::start(|b| b.video_size(8 << 20).faults(first_download_slow()));
    let dir = tempfile::tempdir().unwrap();
    let (out, _part) = killed_mid_download(&hub, dir.path());

    let resumed = hub.videohub().args(["jobs", "resume"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let counters = hub.handle.counters();
    assert_eq!(counters.downloads, 2, "{counters:?}");
    assert_eq!(
        counters.ranged_downloads, 1,
        "continued, not started over: {counters:?}"
    );
    assert!(
        part_files(dir.path()).is_empty(),
        "{:?}",
        part_files(dir.path())
    );
    let job = &hub.jobs()[0];
    assert_eq!(job["state"], "downloaded");
    assert_eq!(job["part_file"], Value::Null);

    // Byte for byte the file a whole download gives.
    let whole = dir.path().join("whole.mp4");
    let task = job["task_id"].as_str().unwrap();
    hub.videohub()
        .args(["task", "download", task, "-o"])
        .arg(&whole)
        .assert()
        .success();
    assert!(std::fs::read(&out).unwrap() == std::fs::read(&whole).unwrap());
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        hub.handle.video_size()
    );
}

#[test]
fn a_forgotten_job_takes_its_part_file_along() {
    let hub = Hub::start(|b| b.video_size(8 << 20).faults(first_download_slow()));
    let dir = tempfile::tempdir().unwrap();
    let (_out, part) = killed_mid_download(&hub, dir.path());
    let id = hub.jobs()[0]["id"].as_str().unwrap().to_owned();
    hub.videohub()
        .args(["jobs", "forget", &id, "--force"])
        .assert()
        .success();
    assert!(!part.exists());
}

#[test]
fn a_part_file_older_than_a_day_with_no_live_owner_is_swept() {
    let hub = Hub::start(|b| b.video_size(8 << 20).faults(first_download_slow()));
    let dir = tempfile::tempdir().unwrap();
    let (out, part) = killed_mid_download(&hub, dir.path());
    let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&part)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    // The next command that downloads sweeps it first: the job then starts over.
    let resumed = hub.videohub().args(["jobs", "resume"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(!part.exists());
    assert!(part_files(dir.path()).is_empty());
    let counters = hub.handle.counters();
    assert_eq!(counters.ranged_downloads, 0, "{counters:?}");
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        hub.handle.video_size()
    );
}

// ---------------------------------------------------------------------------------------
// A batch run again into another folder.

fn run_batch(hub: &Hub, file: &Path, out: &Path, extra: &[&str]) -> Vec<Value> {
    let run = hub
        .videohub()
        .args(["batch", "run", "--json"])
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The files of `dir` (part files aside), sorted by name, with their bytes.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_batch_into_another_folder_pays_for_nothing_again_unless_asked() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lines.jsonl");
    // Two identical lines are two tasks, and stay two.
    std::fs::write(
        &file,
        [
            r#"{"model": "veo-3.1", "input": {"prompt": "a fox"}}"#,
            r#"{"model": "veo-3.1", "input": {"prompt": "a fox"}}"#,
            r#"{"model": "wan-2.7", "input": {"prompt": "a koi pond", "seed": 3}, "output": "koi.mp4"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let first = dir.path().join("first");
    let lines = run_batch(&hub, &file, &first, &[]);
    assert!(
        lines.iter().all(|l| l["status"] == "downloaded"),
        "{lines:?}"
    );
    assert_eq!(hub.handle.counters().submits_received, 3);

    let second = dir.path().join("second");
    let lines = run_batch(&hub, &file, &second, &["--name", "{line}-{task_id}.{ext}"]);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l["status"] == "reused"), "{lines:?}");
    assert_eq!(hub.handle.counters().submits_received, 3, "no new submit");
    let (a, b) = (files_of(&first), files_of(&second));
    assert_eq!(
        b.len(),
        3,
        "{:?}",
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let mut bytes_a: Vec<_> = a.iter().map(|f| &f.1).collect();
    let mut bytes_b: Vec<_> = b.iter().map(|f| &f.1).collect();
    bytes_a.sort();
    bytes_b.sort();
    assert!(bytes_a == bytes_b, "the same files");
    let tasks: std::collections::HashSet<_> = lines
        .iter()
        .map(|l| l["task_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tasks.len(), 3, "identical lines reuse distinct tasks");

    // The same run again: nothing new at all.
    let lines = run_batch(&hub, &file, &second, &["--name", "{line}-{task_id}.{ext}"]);
    assert_eq!(lines.len(), 3);
    assert_eq!(hub.handle.counters().submits_received, 3);

    // Paying again is explicit: one submit per line, each a new job.
    let again = dir.path().join("again");
    let run = hub
        .videohub()
        .args(["batch", "run", "--json", "--again"])
        .arg(&file)
        .arg("--out")
        .arg(&again)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("submitted anew"), "{}", stderr(&run));
    assert_eq!(hub.handle.counters().submits_received, 6);
    assert_eq!(files_of(&again).len(), 3);
    // Three jobs of the first run, three new ones paying again, and two reusing a task under
    // another name: the koi line names its own file, so in the second folder it is the same
    // line (one job, its file copied there).
    assert_eq!(hub.jobs().len(), 8);
}

#[test]
fn a_reused_file_that_is_gone_is_downloaded_again_without_a_submit() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lines.jsonl");
    std::fs::write(
        &file,
        r#"{"model": "veo-3.1", "input": {"prompt": "a fox"}}"#,
    )
    .unwrap();
    let first = dir.path().join("first");
    run_batch(&hub, &file, &first, &[]);
    for (name, _) in files_of(&first) {
        std::fs::remove_file(first.join(name)).unwrap();
    }
    let downloads = hub.handle.counters().downloads;
    let lines = run_batch(&hub, &file, &dir.path().join("second"), &[]);
    assert_eq!(lines[0]["status"], "reused", "{lines:?}");
    let counters = hub.handle.counters();
    assert_eq!(counters.submits_received, 1, "{counters:?}");
    assert_eq!(counters.downloads, downloads + 1, "{counters:?}");
}

// ---------------------------------------------------------------------------------------
// A full disk under the journal.

#[test]
fn a_full_disk_under_the_journal_across_the_submit_answer_loses_no_task() {
    let hub = Hub::start(|b| b.faults("kinds=slow,on=submit,slow=3s".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let (disk, out, state, go) = (
        dir.path().join("disk"),
        dir.path().join("out"),
        dir.path().join("state"),
        dir.path().join("go"),
    );
    for d in [&disk, &out] {
        std::fs::create_dir(d).unwrap();
    }
    let journal = disk.join("journal.sqlite3");
    // In a mount namespace of its own: a 2 MiB tmpfs holds the journal; once the submit is
    // out (the test says so with `go`), the disk is filled; after `generate`, space is
    // freed and `jobs resume` runs; the journal is copied out before the tmpfs goes.
    let script = r#"
        disk="$1"; bin="$2"; shift 2
        mount -t tmpfs -o size=2m tmpfs "$disk" || exit 97
        "$bin" "$@" --store "$disk/journal.sqlite3" generate veo-3.1 --prompt "a fox" -o "$OUT/fox.mp4" --timeout 2s 2>"$OUT/../generate.txt" &
        gen=$!
        while [ ! -e "$GO" ]; do sleep 0.02; done
        dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null
        wait $gen
        echo "generate: $?" >>"$OUT/../generate.txt"
        rm "$disk/filler"
        "$bin" "$@" --store "$disk/journal.sqlite3" jobs resume >"$OUT/../resume.txt" 2>&1
        "$bin" "$@" --store "$disk/journal.sqlite3" jobs list --all --json >"$OUT/../jobs.json"
    "#;
    let mut child = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .arg(&disk)
        .arg(assert_cmd::cargo::cargo_bin("videohub"))
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .env_remove("MOUNTSEA_API_KEY")
        .env("OUT", &out)
        .env("GO", &go)
        .env("XDG_STATE_HOME", &state)
        .spawn()
        .expect("this test needs `unshare -m` and `mount -t tmpfs` (root, or CAP_SYS_ADMIN)");
    wait_until("the submit received", || {
        hub.handle.counters().submits_received == 1
    });
    std::fs::write(&go, b"").unwrap();
    let status = child.wait().unwrap();
    assert_ne!(
        status.code(),
        Some(97),
        "this test needs `mount -t tmpfs` in a mount namespace (root, or CAP_SYS_ADMIN)"
    );
    let generate = std::fs::read_to_string(dir.path().join("generate.txt")).unwrap();
    assert!(generate.contains("generate: 1"), "{generate}");
    assert!(generate.contains("is full"), "{generate}");
    // The id could not be kept beside the journal (the same full disk): the state
    // directory has it.
    let kept = std::fs::read_to_string(state.join("videohub").join("task-ids.jsonl")).unwrap();
    assert!(
        generate.contains(&state.display().to_string()),
        "{generate}"
    );
    let resume = std::fs::read_to_string(dir.path().join("resume.txt")).unwrap();
    let jobs: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("jobs.json")).unwrap())
            .unwrap();
    assert_eq!(jobs[0]["state"], "downloaded", "{resume}\n{jobs}");
    assert!(
        kept.contains(jobs[0]["task_id"].as_str().unwrap()),
        "{kept}"
    );
    assert_eq!(
        std::fs::metadata(out.join("fox.mp4")).unwrap().len(),
        hub.handle.video_size()
    );
    assert!(part_files(&out).is_empty());
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 1, "{counters:?}");
    assert!(!journal.exists(), "the journal lived on the tmpfs only");
}
