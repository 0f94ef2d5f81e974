//! `videohub batch` end to end: every line checked before anything is sent, a re-run that
//! continues where the last one stopped, a runner killed again and again under faults, and
//! several workers sharing one Postgres journal.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use videohub_sandbox::TaskDuration;
use videohub_tests::postgres_database;

use crate::common::Hub;

/// A JSON-lines batch of `n` lines in `dir`, two models, every line different.
fn batch_file(dir: &Path, n: usize) -> PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let model = if i % 2 == 0 { "veo-3.1" } else { "wan-2.7" };
            format!(r#"{{"model": "{model}", "input": {{"prompt": "shot {i}", "seed": {i}}}}}"#)
        })
        .collect();
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

fn count(jobs: &[Value], state: &str) -> usize {
    jobs.iter().filter(|j| j["state"] == state).count()
}

#[test]
fn invalid_lines_are_all_named_and_nothing_is_sent() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"model": "veo-3.1", "input": {"prompt": "fine"}}"#,
            r#"{"model": "veo-3.1-lite", "input": {"prompt": "x", "resolution": "4k"}}"#,
            "not json",
            r#"{"model": "no-such-model", "input": {}}"#,
            r#"{"model": "veo-3.1", "input": {"prompt": "x"}, "colour": "red"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let run = hub
        .videohub()
        .current_dir(dir.path())
        .args(["batch", "run"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    for expected in [
        "line 2: parameter `resolution`",
        "line 3: not JSON",
        "line 4: unknown model `no-such-model`",
        "line 5: unknown key `colour`",
        "4 of 5 lines are invalid; nothing was sent",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert!(hub.jobs().is_empty());

    // --dry-run sends nothing either; --skip-invalid runs the valid line.
    hub.videohub()
        .current_dir(dir.path())
        .args(["batch", "run", "--dry-run", "--skip-invalid"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(hub.handle.counters().submits_received, 0);
    hub.videohub()
        .current_dir(dir.path())
        .args(["batch", "run", "--skip-invalid"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(hub.handle.counters().tasks_created, 1);
}

#[test]
fn a_batch_run_again_sends_nothing_twice_and_csv_lines_are_typed() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 6);
    let first = hub
        .videohub()
        .args(["batch", "run", "--json", "--concurrency", "3", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&first.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(
        lines.iter().all(|l| l["status"] == "downloaded"),
        "{lines:?}"
    );
    assert_eq!(hub.handle.counters().tasks_created, 6);

    // One more line: only it runs.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"one more\"}}");
    std::fs::write(&file, text).unwrap();
    hub.videohub()
        .args(["batch", "run", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    assert_eq!(hub.handle.counters().tasks_created, 7);
    let status = hub
        .videohub()
        .args(["batch", "status", "--json", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["states"]["downloaded"], 7, "{status}");

    let csv = dir.path().join("grid.csv");
    std::fs::write(&csv, "prompt,seed,duration\nfirst,1,5\nsecond,2,x\n").unwrap();
    let run = hub
        .videohub()
        .args(["batch", "run", "--model", "wan-2.7", "--out"])
        .arg(dir.path())
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("line 3:"),
        "{run:?}"
    );
}

/// A `batch run` started in the background.
fn start_batch(hub: &Hub, store: &str, file: &Path, out: &Path, concurrency: &str) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", store)
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args(["batch", "run", "--concurrency", concurrency, "--out"])
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether a kill landed while a job was being submitted: a job was left `submitting`, or
/// another worker already found it so and marked it `outcome_unknown` (no fault here can
/// make an outcome unknown otherwise). A runner sends one submit at a time.
fn landed_during_a_submit(hub: &Hub, store: &str, unknown_before: usize) -> usize {
    let jobs = hub.jobs_in(store);
    let left = count(&jobs, "submitting") + count(&jobs, "outcome_unknown") - unknown_before;
    assert!(left <= 1, "one kill left {left} jobs of unknown outcome");
    left
}

/// Kills (SIGKILL) a batch runner again and again, restarting it each time, under faults on
/// a fifth of the requests; then lets it finish. Returns the number of kills that landed
/// while a job was being submitted.
fn kill_and_restart(hub: &Hub, store: &str, file: &Path, out: &Path, kills: usize) -> usize {
    let mut during_submit = 0;
    for kill in 0..kills {
        let mut child = start_batch(hub, store, file, out, "6");
        // Vary where the kill lands: from just after the start to well into the run.
        std::thread::sleep(Duration::from_millis(150 + 170 * (kill as u64 % 7)));
        child.kill().unwrap();
        child.wait().unwrap();
        during_submit += landed_during_a_submit(hub, store, during_submit);
    }
    let status = start_batch(hub, store, file, out, "6").wait().unwrap();
    assert!(
        status.code().is_some_and(|c| c == 0 || c == 1 || c == 3),
        "{status:?}"
    );
    during_submit
}

fn assert_each_job_final_and_sent_once(
    hub: &Hub,
    store: &str,
    lines: usize,
    kills_during_submit: usize,
) {
    let jobs = hub.jobs_in(store);
    assert_eq!(jobs.len(), lines);
    let unfinished: Vec<&Value> = jobs
        .iter()
        .filter(|j| {
            ["pending", "submitting", "submitted", "completed"]
                .contains(&j["state"].as_str().unwrap())
        })
        .collect();
    assert!(unfinished.is_empty(), "{unfinished:?}");
    let counters = hub.handle.counters();
    assert_eq!(counters.duplicate_tasks, 0, "{counters:?}");
    assert!(counters.tasks_created as usize <= lines, "{counters:?}");
    assert!(jobs.iter().all(|j| j["submits"].as_u64().unwrap() <= 1));
    let unknown = count(&jobs, "outcome_unknown");
    assert!(
        unknown <= kills_during_submit,
        "{unknown} unknown > {kills_during_submit}"
    );
    for job in jobs.iter().filter(|j| j["state"] == "downloaded") {
        let path = job["file_path"].as_str().unwrap();
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            hub.handle.video_size()
        );
    }
}

#[test]
fn a_batch_killed_again_and_again_under_faults_ends_with_every_job_sent_once() {
    let hub = Hub::start(|b| {
        b.durations(TaskDuration::Fixed(Duration::from_millis(300)))
            .faults(
                "seed=11,rate=0.2,kinds=503+429-bare+truncated-download+slow,slow=100ms"
                    .parse()
                    .unwrap(),
            )
    });
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 40);
    let store = hub.journal().to_str().unwrap().to_owned();
    let during_submit = kill_and_restart(&hub, &store, &file, dir.path(), 6);
    assert_each_job_final_and_sent_once(&hub, &store, 40, during_submit);
    assert!(hub.handle.counters().faults_injected > 0);
}

#[test]
fn workers_on_one_postgres_share_the_jobs_and_survive_one_killed() {
    let Some(store) = postgres_database("workers") else {
        return;
    };
    let hub = Hub::start(|b| b.durations(TaskDuration::Fixed(Duration::from_millis(400))));
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 36);
    let mut workers: Vec<Child> = (0..3)
        .map(|_| start_batch(&hub, &store, &file, dir.path(), "3"))
        .collect();
    let start = Instant::now();
    while hub.handle.counters().tasks_created < 12 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the workers never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    workers[0].kill().unwrap();
    workers[0].wait().unwrap();
    // The live workers may be submitting their own jobs right now, so the journal cannot
    // tell whether the kill landed in a submit: one kill leaves at most one such job.
    let during_submit = 1;
    for worker in &mut workers[1..] {
        let status = worker.wait().unwrap();
        assert!(
            status.code().is_some_and(|c| c == 0 || c == 1),
            "{status:?}"
        );
    }
    assert_each_job_final_and_sent_once(&hub, &store, 36, during_submit);
    let jobs = hub.jobs_in(&store);
    assert!(count(&jobs, "downloaded") >= 36 - during_submit);
}
