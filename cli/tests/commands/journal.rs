//! The journal through the binary: a `generate` killed (SIGKILL) at every step is finished
//! by `videohub jobs resume`, downloaded exactly once, with at most one task per job; a
//! submit whose outcome is unknown is never sent again without `--force`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use videohub_sandbox::TaskDuration;

use crate::common::Hub;

/// A `generate` of a one-job scenario, started and not yet killed.
struct Run {
    child: Child,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

fn start_generate(hub: &Hub, envs: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("video.mp4");
    let child = Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .envs(envs.iter().copied())
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args(["generate", "veo-3.1", "--prompt", "a fox", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Run {
        child,
        out,
        _dir: dir,
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never saw: {what}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn kill(run: &mut Run) {
    // SIGKILL, then reap the process so that it is gone, not a zombie.
    run.child.kill().unwrap();
    run.child.wait().unwrap();
}

/// Files in `dir` other than the journal's.
fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// After the kill: nothing under the final name; then `jobs resume` downloads the job once,
/// the hub counts one task, and a second resume has nothing left to do.
fn resume_finishes_once(hub: &Hub, run: &Run) {
    assert!(
        !run.out.exists(),
        "no file under the final name after the kill"
    );
    let resumed = hub.videohub().args(["jobs", "resume"]).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let jobs = hub.jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["state"], "downloaded", "{jobs:?}");
    assert_eq!(jobs[0]["submits"], 1);
    assert_eq!(
        std::fs::metadata(&run.out).unwrap().len(),
        hub.handle.video_size()
    );
    let counters = hub.handle.counters();
    assert_eq!(counters.tasks_created, 1, "{counters:?}");
    assert_eq!(counters.duplicate_tasks, 0, "{counters:?}");
    assert_eq!(counters.authorized_downloads, 0, "{counters:?}");

    let downloads = counters.downloads;
    let again = hub.videohub().args(["jobs", "resume"]).output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to resume"));
    assert_eq!(
        hub.handle.counters().downloads,
        downloads,
        "downloaded exactly once"
    );
    let dir = run.out.parent().unwrap();
    assert_eq!(
        files_in(dir).iter().filter(|f| f.ends_with(".mp4")).count(),
        1
    );
}

#[test]
fn killed_before_the_submit_is_sent() {
    let hub = Hub::start(|b| b);
    let mut run = start_generate(&hub, &[("VIDEOHUB_CRASH_PAUSE", "before-submit")]);
    let mut stderr = BufReader::new(run.child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("paused before the submit of job "),
        "{line}"
    );
    kill(&mut run);
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert_eq!(hub.jobs()[0]["state"], "pending");
    resume_finishes_once(&hub, &run);
}

#[test]
fn killed_right_after_the_submit() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(2))));
    let mut run = start_generate(&hub, &[]);
    wait_until("the job submitted", || {
        hub.jobs()
            .first()
            .is_some_and(|j| j["state"] == "submitted")
    });
    kill(&mut run);
    resume_finishes_once(&hub, &run);
}

#[test]
fn killed_while_polling() {
    // The first poll of a task without history comes 5 s after the submit.
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(7))));
    let mut run = start_generate(&hub, &[]);
    wait_until("a poll", || hub.handle.counters().polls >= 1);
    kill(&mut run);
    assert_eq!(hub.jobs()[0]["state"], "submitted");
    resume_finishes_once(&hub, &run);
}

#[test]
fn killed_while_downloading() {
    let hub = Hub::start(|b| {
        b.video_size(8 << 20)
            .faults("kinds=slow,on=download,slow=1s".parse().unwrap())
    });
    let mut run = start_generate(&hub, &[]);
    wait_until("the download started", || {
        hub.handle.counters().downloads >= 1
    });
    kill(&mut run);
    assert_eq!(hub.jobs()[0]["state"], "completed");
    resume_finishes_once(&hub, &run);
}

#[test]
fn killed_during_the_submit_the_job_is_never_sent_again_without_force() {
    let hub = Hub::start(|b| b.faults("kinds=slow,on=submit,slow=30s".parse().unwrap()));
    let mut run = start_generate(&hub, &[]);
    wait_until("the submit received", || {
        hub.handle.counters().submits_received == 1
    });
    kill(&mut run);
    assert_eq!(hub.jobs()[0]["state"], "submitting");

    let resumed = hub.videohub().args(["jobs", "resume"]).output().unwrap();
    assert_eq!(resumed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("outcome_unknown"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    let job = &hub.jobs()[0];
    assert_eq!(job["state"], "outcome_unknown");
    let id = job["id"].as_str().unwrap().to_owned();

    // Neither another resume nor a plain retry sends it again.
    assert!(
        hub.videohub()
            .args(["jobs", "resume"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let retry = hub
        .videohub()
        .args(["jobs", "retry", &id])
        .output()
        .unwrap();
    assert_eq!(retry.status.code(), Some(2));
    assert_eq!(hub.handle.counters().submits_received, 1);
}

#[test]
fn two_processes_share_one_journal() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_millis(300))));
    let mut runs: Vec<Run> = (0..2).map(|_| start_generate(&hub, &[])).collect();
    for run in runs.iter_mut() {
        let output = std::mem::replace(&mut run.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(run.out.exists());
    }
    let jobs = hub.jobs();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j["state"] == "downloaded"), "{jobs:?}");
    assert_eq!(hub.handle.counters().tasks_created, 2);
}

#[test]
fn task_durations_carry_over_to_the_next_run() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_millis(400))));
    let dir = tempfile::tempdir().unwrap();
    let learned = |run: usize| {
        let output = hub
            .videohub()
            .current_dir(dir.path())
            .args([
                "-vv",
                "generate",
                "veo-3.1",
                "--prompt",
                &format!("run {run}"),
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stderr).contains("polling on the schedule learned")
    };
    // Three durations make a schedule; each run is a new process.
    assert_eq!(
        (1..=4).map(learned).collect::<Vec<_>>(),
        [false, false, false, true]
    );
    // Only with the journal: without it, a new process knows nothing.
    let output = hub
        .videohub()
        .current_dir(dir.path())
        .args(["-vv", "--no-store", "generate", "veo-3.1", "--prompt", "x"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("learned"));
}

#[test]
fn history_show_retry_and_forget() {
    let hub = Hub::start(|b| b.faults("kinds=failed".parse().unwrap()));
    let dir = tempfile::tempdir().unwrap();
    hub.videohub()
        .current_dir(dir.path())
        .args([
            "generate",
            "veo-3.1",
            "--prompt",
            "a heron at dawn",
            "--set",
            "seed=7",
        ])
        .assert()
        .code(3);
    let history = hub
        .videohub()
        .args([
            "history", "--status", "failed", "--search", "HERON", "--json",
        ])
        .output()
        .unwrap();
    let entries: Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    let entry = &entries[0];
    assert_eq!(entry["prompt"], "a heron at dawn");
    assert_eq!(entry["parameters"]["seed"], 7);
    assert_eq!(entry["status"], "failed");
    let id = entry["job_id"].as_str().unwrap().to_owned();
    for (filter, value) in [
        ("--model", "veo-3"),
        ("--search", "owl"),
        ("--status", "downloaded"),
    ] {
        let none = hub
            .videohub()
            .args(["history", filter, value, "--json"])
            .output()
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&none.stdout).unwrap(),
            Value::Array(vec![])
        );
    }
    let table = hub.videohub().arg("history").output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("a heron at dawn [seed=7]"), "{table}");

    let show = hub
        .videohub()
        .args(["jobs", "show", &id[..12]])
        .output()
        .unwrap();
    let show = String::from_utf8_lossy(&show.stdout);
    for expected in [
        "state: failed",
        "submits sent: 1",
        "seed = 7",
        "submitting",
        "submitted  task ",
    ] {
        assert!(show.contains(expected), "{expected}: {show}");
    }

    // A failed task may be retried without --force: the hub said no, nothing was billed.
    hub.videohub().args(["jobs", "retry", &id]).assert().code(3);
    assert_eq!(hub.handle.counters().tasks_created, 2);
    let show = hub
        .videohub()
        .args(["jobs", "show", &id, "--json"])
        .output()
        .unwrap();
    let show: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(show["job"]["submits"], 2);

    hub.videohub()
        .args(["jobs", "forget", &id])
        .assert()
        .success();
    hub.videohub().args(["jobs", "show", &id]).assert().code(2);
    hub.videohub()
        .args(["--no-store", "history"])
        .assert()
        .code(2);
}

#[test]
fn a_missing_output_directory_is_refused_before_anything_is_sent() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing").join("a.mp4");
    let assert = hub
        .videohub()
        .args(["generate", "veo-3.1", "--prompt", "x", "-o"])
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&dir.path().join("missing").display().to_string()),
        "{stderr}"
    );
    assert_eq!(hub.handle.counters().submits_received, 0);
}

#[test]
fn a_damaged_journal_is_named_and_nothing_is_sent() {
    let hub = Hub::start(|b| b);
    std::fs::write(hub.journal(), b"not a database at all".repeat(100)).unwrap();
    let assert = hub
        .videohub()
        .args(["generate", "veo-3.1", "--prompt", "x"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&hub.journal().display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("--store"), "{stderr}");
    assert_eq!(hub.handle.counters().submits_received, 0);
}

#[test]
fn an_expired_timeout_exits_3_and_keeps_the_job() {
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_secs(600))));
    let dir = tempfile::tempdir().unwrap();
    let assert = hub
        .videohub()
        .current_dir(dir.path())
        .args(["generate", "veo-3.1", "--prompt", "x", "--timeout", "1s"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    // The command names the journal the job is in.
    let command = format!("videohub --store {} jobs resume ", hub.journal().display());
    assert!(stderr.contains(&command), "{stderr}");
    let jobs = hub.jobs();
    assert_eq!(jobs[0]["state"], "submitted");
    assert_eq!(jobs[0]["owner"], Value::Null);
}
