//! The three front-ends (the command line, the MCP server, the studio) answer alike where
//! they share the application layer: an unknown model gets the same suggestion from each.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::common::videohub;
use crate::mcp::agent::{Fixture, text};

/// What every front-end says of `veo-31`, before its own way on.
const UNKNOWN: &str = "unknown model `veo-31` (did you mean `veo-3.1`?)";

#[test]
fn the_command_line_suggests_the_closest_model() {
    let output = videohub()
        .args([
            "--sandbox",
            "--no-store",
            "generate",
            "veo-31",
            "--prompt",
            "a fox",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{UNKNOWN}; `videohub models list` shows them all")),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mcp_server_suggests_the_same_model() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    let agent = fixture.connect().await;
    for (tool, arguments) in [
        ("describe_model", json!({"model": "veo-31"})),
        (
            "generate",
            json!({"model": "veo-31", "input": {"prompt": "a fox"}}),
        ),
    ] {
        let answer = agent.call(tool, arguments).await;
        assert_eq!(answer.is_error, Some(true), "{tool}");
        assert_eq!(
            text(&answer),
            format!("{UNKNOWN}; list_models lists them"),
            "{tool}"
        );
    }
    assert_eq!(fixture.hub.counters().submits_received, 0);
}

/// A studio served by the binary, stopped when dropped.
struct Studio(Child);

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_studio_suggests_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_videohub"))
        .env_remove("MOUNTSEA_API_KEY")
        .env_remove("MOUNTSEA_BASE_URL")
        .args([
            "--sandbox",
            "--no-store",
            "studio",
            "--port",
            "0",
            "--no-open",
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let studio = Studio(child);
    let mut banner = String::new();
    BufReader::new(stdout).read_line(&mut banner).unwrap();
    let url = banner
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    let http = reqwest::Client::new();
    let answer: serde_json::Value = http
        .get(format!("{url}api/models/veo-31"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["error"], UNKNOWN);
    let answer: serde_json::Value = http
        .post(format!("{url}api/generate"))
        .json(&json!({"model": "veo-31", "input": {"prompt": "a fox"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["error"], UNKNOWN);
    drop(studio);
}
