//! Batch files read as a stream: a bad line near the end of a long file still stops
//! everything before anything is recorded or sent, CSV and standard input run and run
//! again like JSON lines, the status of a file run before is read by its bytes, and the
//! memory of checking and counting does not grow with the lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::Hub;

/// `n` JSON lines of `wan-2.7` in `dir`, every line different.
fn lines_file(dir: &Path, name: &str, n: usize) -> (PathBuf, Vec<String>) {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"model": "wan-2.7", "input": {{"prompt": "shot {i}", "seed": {i}}}}}"#)
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n")).unwrap();
    (path, lines)
}

fn json(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `videohub batch status --json` of `file` into `out`, with `extra` arguments.
fn status(hub: &Hub, out: &Path, file: &Path, extra: &[&str]) -> Value {
    let output = hub
        .videohub()
        .args(["batch", "status", "--json", "--out"])
        .arg(out)
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    json(&output)
}

#[test]
fn a_bad_line_near_the_end_of_a_long_file_stops_everything_before_anything_is_recorded() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    // More lines than one transaction records (2,000), the bad one in the last.
    let (file, mut lines) = lines_file(dir.path(), "long.jsonl", 4_500);
    lines[4_490] = r#"{"model": "wan-2.7", "input": {"prompt": "x", "seed": "seven"}}"#.into();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let run = hub
        .videohub()
        .args(["batch", "run", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    for expected in [
        "line 4491: parameter `seed`",
        "1 of 4500 lines are invalid; nothing was sent",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert_eq!(hub.handle.counters().submits_received, 0);
    assert!(hub.jobs().is_empty(), "nothing recorded");
    let dry = hub
        .videohub()
        .args(["batch", "run", "--dry-run", "--skip-invalid", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let dry = json(&dry);
    assert_eq!(
        (dry["valid"].as_u64(), dry["invalid"].as_u64()),
        (Some(4_499), Some(1))
    );
    let status = status(&hub, dir.path(), &file, &[]);
    assert_eq!(status["lines"], 4_500, "{status}");
    assert_eq!(status["invalid"], 1, "{status}");
    assert_eq!(status["states"]["not recorded"], 4_499, "{status}");
}

#[test]
fn a_csv_batch_skips_its_invalid_lines_when_asked_and_runs_again_sending_nothing() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("grid.csv");
    std::fs::write(
        &csv,
        "prompt,seed\nfirst,1\nsecond,2\nthird,3\nfourth,four\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        hub.videohub()
            .args(["batch", "run", "--model", "wan-2.7", "--out"])
            .arg(dir.path())
            .args(extra)
            .arg(&csv)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("line 5:"),
        "{refused:?}"
    );
    assert_eq!(hub.handle.counters().submits_received, 0);
    for _ in 0..2 {
        let ran = run(&["--skip-invalid"]);
        assert!(ran.status.success(), "{ran:?}");
        assert_eq!(hub.handle.counters().tasks_created, 3);
    }
    let status = status(&hub, dir.path(), &csv, &["--model", "wan-2.7"]);
    assert_eq!(status["lines"], 4, "{status}");
    assert_eq!(status["invalid"], 1, "{status}");
    assert_eq!(status["states"]["downloaded"], 3, "{status}");
}

#[test]
fn standard_input_runs_and_runs_again_like_a_file() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let (file, lines) = lines_file(dir.path(), "piped.jsonl", 3);
    for _ in 0..2 {
        hub.videohub()
            .args(["batch", "run", "--json", "--out"])
            .arg(dir.path())
            .arg("-")
            .write_stdin(lines.join("\n"))
            .assert()
            .success();
        assert_eq!(hub.handle.counters().tasks_created, 3);
    }
    // The batch read from standard input is the file's.
    let status = status(&hub, dir.path(), &file, &[]);
    assert_eq!(status["states"]["downloaded"], 3, "{status}");
}

/// Runs `sql` on the SQLite journal at `journal`.
fn execute(journal: &Path, sql: &str) {
    let url = format!("sqlite://{}", journal.display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
    });
}

#[test]
fn the_status_of_a_file_run_before_is_read_by_its_bytes_and_a_changed_file_by_its_lines() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    let (file, mut lines) = lines_file(dir.path(), "known.jsonl", 3);
    hub.videohub()
        .args(["batch", "run", "--json", "--out"])
        .arg(dir.path())
        .arg(&file)
        .assert()
        .success();
    let status_now = status(&hub, dir.path(), &file, &[]);
    assert_eq!(status_now["lines"], 3, "{status_now}");
    assert_eq!(status_now["states"]["downloaded"], 3, "{status_now}");
    // The counts come from what the run kept of the file, not from its lines: altered
    // there, the status says so.
    execute(&hub.journal(), "UPDATE batch_files SET lines = 7, keys = 7");
    let kept = status(&hub, dir.path(), &file, &[]);
    assert_eq!(kept["lines"], 7, "{kept}");
    assert_eq!(kept["states"]["not recorded"], 4, "{kept}");
    // Another folder, or another name template, is another digest: the lines are read.
    let elsewhere = tempfile::tempdir().unwrap();
    let read = status(&hub, elsewhere.path(), &file, &[]);
    assert_eq!(read["lines"], 3, "{read}");
    // A changed byte is another file, so another batch (not run yet): its lines are read
    // and checked again.
    lines[2] = lines[2].replace("shot 2", "shot two");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let changed = status(&hub, dir.path(), &file, &[]);
    assert_eq!(changed["lines"], 3, "{changed}");
    assert_eq!(
        changed["states"],
        serde_json::json!({"not recorded": 3}),
        "{changed}"
    );
    assert_eq!(hub.handle.counters().tasks_created, 3);
}

/// The peak resident set (KiB) of `videohub batch status` of `file`, its `/proc` status
/// read every few milliseconds while it runs.
fn peak_of_status(hub: &Hub, file: &Path) -> u64 {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env("VIDEOHUB_STORE", hub.journal())
        .args(["--base-url", hub.handle.url(), "--api-key", "test-key"])
        .args(["batch", "status"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        let hwm = std::fs::read_to_string(&status)
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        peak = peak.max(hwm);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.wait().unwrap().success());
    peak
}

#[test]
fn checking_and_counting_a_batch_takes_no_more_memory_for_four_times_the_lines() {
    let hub = Hub::start(|b| b);
    let dir = tempfile::tempdir().unwrap();
    // A journal, so that `batch status` counts.
    assert!(hub.jobs().is_empty());
    let (small, _) = lines_file(dir.path(), "small.jsonl", 10_000);
    let (large, _) = lines_file(dir.path(), "large.jsonl", 40_000);
    let (small, large) = (peak_of_status(&hub, &small), peak_of_status(&hub, &large));
    // Held whole, the 30,000 more lines took about 27 MiB more (0.9 KiB a line); counted
    // as a stream, a few megabytes of buffers fill up, whatever the lines.
    assert!(small > 0 && large > 0);
    assert!(
        large < small + 12 * 1024,
        "10,000 lines: {small} KiB at most; 40,000: {large} KiB"
    );
}
