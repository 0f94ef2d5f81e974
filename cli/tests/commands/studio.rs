//! The studio as a process: stopped by SIGTERM or Ctrl-C in the middle of a render, it lets
//! go of the job it drives, which stays in the journal for `jobs resume` to finish without a
//! second submit; in the middle of a download, it lets the download finish within `--grace`,
//! unless a second signal ends it at once.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::mcp::agent::Fixture;

/// A studio on `fixture`'s hub, saving to `dir`, and its page's URL.
async fn studio(fixture: &Fixture, dir: &std::path::Path) -> (Child, String) {
    let mut command = tokio::process::Command::from(fixture.videohub());
    command
        .args(["studio", "--port", "0", "--no-open", "--output-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut studio = command.spawn().unwrap();
    let mut lines = BufReader::new(studio.stdout.take().unwrap()).lines();
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the studio says its address")
            .unwrap()
            .expect("the studio says its address before it ends");
        if let Some(rest) = line.strip_prefix("videohub studio on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    (studio, url)
}

/// Starts a render from the studio's page at `url`.
async fn generate(url: &str) {
    let started = reqwest::Client::new()
        .post(format!("{url}api/generate"))
        .json(&json!({"model": "veo-3.1", "input": {"prompt": "a red fox"}}))
        .send()
        .await
        .unwrap();
    assert!(started.status().is_success(), "{started:?}");
}

/// Sends `signal` (`-TERM`, `-INT`) to `studio`.
fn send(studio: &Child, signal: &str) {
    let pid = studio.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// How `studio` ended, within `limit`.
async fn ended(studio: &mut Child, limit: Duration) -> ExitStatus {
    tokio::time::timeout(limit, studio.wait())
        .await
        .unwrap_or_else(|_| panic!("the studio stops within {limit:?} of the signal"))
        .unwrap()
}

/// Starts a render from the studio's page, stops the studio with `signal` while the hub
/// renders it, and checks the exit `code`, the job let go, and its resumption.
async fn a_studio_stopped_mid_render_leaves_its_job_to_resume(signal: &str, code: i32) {
    let fixture = Fixture::start(Duration::from_secs(6), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut studio, url) = studio(&fixture, dir.path()).await;
    generate(&url).await;
    fixture.until_render_started().await;

    send(&studio, signal);
    let status = ended(&mut studio, Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(code));
    fixture.assert_let_go_then_resumed_once();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_in_the_middle_of_a_render_leaves_the_job_to_resume() {
    a_studio_stopped_mid_render_leaves_its_job_to_resume("-TERM", 143).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_in_the_middle_of_a_render_leaves_the_job_to_resume() {
    a_studio_stopped_mid_render_leaves_its_job_to_resume("-INT", 130).await;
}

/// A studio whose hub sends half of every file at once and the rest `pause` later, stopped
/// by `signals` (one after the other) once the download began: the studio's exit status,
/// the journal's one job after it, and the folder its file goes to.
async fn stopped_mid_download(
    pause: &str,
    signals: &[&str],
) -> (Fixture, ExitStatus, String, tempfile::TempDir) {
    let faults = format!("kinds=slow,on=download,rate=1,slow={pause}");
    let fixture = Fixture::with_faults(Duration::from_millis(100), 1.0, &faults).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut studio, url) = studio(&fixture, dir.path()).await;
    generate(&url).await;
    for _ in 0..1200 {
        if fixture.hub.counters().downloads == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(fixture.hub.counters().downloads, 1, "the download began");
    for signal in signals {
        send(&studio, signal);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let status = ended(&mut studio, Duration::from_secs(30)).await;
    let jobs = fixture.jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let id = jobs[0]["id"].as_str().unwrap().to_owned();
    (fixture, status, id, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_in_the_middle_of_a_download_lets_it_finish_within_the_grace() {
    let (fixture, status, id, _dir) = stopped_mid_download("2s", &["-TERM"]).await;
    assert_eq!(status.code(), Some(143));
    let job = fixture.job(&id);
    assert_eq!(
        job["state"], "downloaded",
        "finished before the exit: {job}"
    );
    let counters = fixture.hub.counters();
    assert_eq!((counters.tasks_created, counters.downloads), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_ends_a_download_at_once_and_resume_continues_it() {
    let (fixture, status, id, _dir) = stopped_mid_download("10s", &["-TERM", "-TERM"]).await;
    assert_eq!(status.code(), Some(143));
    let job = fixture.job(&id);
    assert_eq!(
        (job["state"].as_str(), job["owner"].as_str()),
        (Some("completed"), None),
        "let go with its download unfinished: {job}"
    );
    let resumed = fixture
        .videohub()
        .args(["jobs", "resume"])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{resumed:?}");
    assert_eq!(fixture.job(&id)["state"], "downloaded");
    let counters = fixture.hub.counters();
    assert_eq!(counters.tasks_created, 1);
    assert!(
        counters.ranged_downloads >= 1,
        "its part continued: {counters:?}"
    );
}
