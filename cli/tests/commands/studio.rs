//! The studio as a process: stopped by SIGTERM or Ctrl-C in the middle of a render, it lets
//! go of the job it drives, which stays in the journal for `jobs resume` to finish without a
//! second submit.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::mcp::agent::Fixture;

/// Starts a render from the studio's page, stops the studio with `signal` while the hub
/// renders it, and checks the exit `code`, the job let go, and its resumption.
async fn a_studio_stopped_mid_render_leaves_its_job_to_resume(signal: &str, code: i32) {
    let fixture = Fixture::start(Duration::from_secs(6), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::from(fixture.videohub());
    command
        .args(["studio", "--port", "0", "--no-open", "--output-dir"])
        .arg(dir.path())
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
    let started = reqwest::Client::new()
        .post(format!("{url}api/generate"))
        .json(&json!({"model": "veo-3.1", "input": {"prompt": "a red fox"}}))
        .send()
        .await
        .unwrap();
    assert!(started.status().is_success(), "{started:?}");
    fixture.until_render_started().await;

    let pid = studio.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(30), studio.wait())
        .await
        .expect("the studio stops within 30 s of the signal")
        .unwrap();
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
