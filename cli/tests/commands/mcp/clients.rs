//! Clients written elsewhere drive `videohub mcp`: the official Python SDK's client (in both
//! eras, over standard input and output and over HTTP with the token) and the MCP
//! Inspector's command line (its `--strict` check of the tool schemas in both eras, a
//! generation over HTTP). `scripts/mcp-clients.sh` installs them (pinned versions, in
//! `target/mcp-clients`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

use super::agent::{Answer, Fixture, KEY, structured};
use super::http::Server;

/// The folder `scripts/mcp-clients.sh` installed the clients in.
fn clients() -> &'static Path {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let installed = INSTALLED.get_or_init(|| crate::common::installed_by("mcp-clients.sh"));
    match installed {
        Ok(dir) => dir,
        Err(why) => panic!(
            "the MCP clients these tests drive are not installed: run scripts/mcp-clients.sh \
             (it needs python3 with venv, npm, and access to PyPI and the npm registry once): {why}"
        ),
    }
}

/// The Python SDK's client running `python_client.py`, with the hub's key for the servers it
/// starts.
fn python(arguments: Vec<String>) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/commands/mcp/python_client.py"
    );
    let output = Command::new(clients().join("python/bin/python"))
        .env("MOUNTSEA_API_KEY", KEY)
        .env_remove("MOUNTSEA_BASE_URL")
        .arg(script)
        .args(arguments)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", described(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", described(&output)))
}

/// The Inspector's command line, with the Node.js installed beside it and a home of its own
/// (it keeps a catalog of servers there).
fn inspector(home: PathBuf, arguments: Vec<String>) -> Output {
    let bin = clients().join("node/node_modules/.bin");
    let path = std::env::var("PATH").unwrap_or_default();
    Command::new(bin.join("mcp-inspector"))
        .env("PATH", format!("{}:{path}", bin.display()))
        .env("HOME", home)
        .env("MCP_INSPECTOR_SECRET_STORE", "memory")
        .arg("--cli")
        .args(arguments)
        .output()
        .unwrap()
}

fn described(output: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The arguments of `videohub … mcp` on `fixture`'s hub and journal.
fn server_command(fixture: &Fixture, dir: &Path) -> Vec<String> {
    let command = fixture.videohub();
    let mut arguments = vec![command.get_program().to_string_lossy().into_owned()];
    arguments.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    arguments.extend(["mcp".into(), "--output-dir".into()]);
    arguments.push(dir.display().to_string());
    arguments
}

/// An HTTP server on `fixture`, with a token chosen here.
async fn http_server(fixture: &Fixture, dir: &Path, token: &str) -> Server {
    let mut command = fixture.videohub();
    command
        .env("VIDEOHUB_MCP_TOKEN", token)
        .args(["mcp", "--http", "127.0.0.1:0", "--output-dir"])
        .arg(dir);
    Server::start(command).await
}

/// What the Python client saw of a generation: every tool portable and titled, the video,
/// its link, progress, and one job for two calls with the same request id.
fn assert_generated(seen: &Value, protocol: &str, fixture: &Fixture) {
    assert_eq!(seen["protocol"], protocol, "{seen}");
    assert_eq!(seen["tools"].as_array().unwrap().len(), 6, "{seen}");
    assert_eq!(seen["type_arrays"], json!([]), "portable schemas");
    for (tool, title) in seen["titles"].as_object().unwrap() {
        assert!(title.is_string(), "{tool} has no title");
    }
    assert_eq!(seen["annotations"]["list_models"]["readOnlyHint"], true);
    assert_eq!(seen["annotations"]["generate"]["readOnlyHint"], false);
    assert_eq!(seen["first"]["state"], "downloaded", "{seen}");
    assert_eq!(seen["again"]["job_id"], seen["first"]["job_id"]);
    assert_eq!(seen["links"], json!([seen["first"]["uri"]]));
    let path = seen["first"]["path"].as_str().unwrap();
    assert_eq!(&std::fs::read(path).unwrap()[4..8], b"ftyp");
    assert!(!seen["progress"].as_array().unwrap().is_empty(), "{seen}");
    let counters = fixture.hub.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_client_generates_in_both_eras_over_stdio() {
    for (mode, protocol) in [("legacy", "2025-11-25"), ("auto", "2026-07-28")] {
        let fixture = Fixture::start(Duration::from_secs(2), 1.0).await;
        let dir = tempfile::tempdir().unwrap();
        let mut arguments = strings(&["--mode", mode, "generate", "--"]);
        arguments.extend(server_command(&fixture, dir.path()));
        let seen = tokio::task::spawn_blocking(move || python(arguments))
            .await
            .unwrap();
        assert_generated(&seen, protocol, &fixture);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_client_generates_over_http_with_the_token() {
    let fixture = Fixture::start(Duration::from_secs(2), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let token = "python-sdk-token-31415926535";
    let mut server = http_server(&fixture, dir.path(), token).await;
    let url = server.url.clone();
    let arguments = strings(&[
        "--mode", "auto", "--url", &url, "--token", token, "generate",
    ]);
    let seen = tokio::task::spawn_blocking(move || python(arguments))
        .await
        .unwrap();
    assert_generated(&seen, "2026-07-28", &fixture);
    server.terminate().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_client_asks_its_user_before_a_second_bill() {
    // Every submit creates its task, then the connection is cut before the answer.
    let faults = "seed=3,rate=1,kinds=reset-after,on=submit";
    let fixture = Fixture::with_faults(Duration::from_millis(50), 1.0, faults).await;
    let agent = fixture.connect().await;
    let arguments = json!({"model": "veo-3.1", "input": {"prompt": "a fox"}, "wait_seconds": 0});
    let sent = structured(&agent.call("generate", arguments).await);
    assert_eq!(sent["state"], "outcome_unknown", "{sent}");
    let job = sent["job_id"].as_str().unwrap().to_owned();
    agent.close().await;
    let dir = tempfile::tempdir().unwrap();
    let command = server_command(&fixture, dir.path());
    for (mode, answer) in [("legacy", Answer::Decline), ("auto", Answer::Accept)] {
        let before = fixture.hub.counters().submits_received;
        let word = if answer == Answer::Accept {
            "accept"
        } else {
            "decline"
        };
        let mut arguments = strings(&["--mode", mode, "--job", &job, "--answer", word]);
        arguments.extend(strings(&["resend", "--"]));
        arguments.extend(command.iter().cloned());
        let seen = tokio::task::spawn_blocking(move || python(arguments))
            .await
            .unwrap();
        let questions = seen["questions"].as_array().unwrap();
        assert_eq!(questions.len(), 1, "{seen}");
        assert!(questions[0].as_str().unwrap().contains("may bill twice"));
        let sent_again = fixture.hub.counters().submits_received - before;
        if answer == Answer::Accept {
            assert_ne!(seen["result"]["isError"], true, "{seen}");
            assert_eq!(sent_again, 1, "{seen}");
        } else {
            assert_eq!(seen["result"]["isError"], true, "{seen}");
            assert_eq!(sent_again, 0, "{seen}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inspector_finds_every_tool_schema_portable_in_both_eras() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    // The key reaches the server as a client's configuration gives it.
    let key = format!("MOUNTSEA_API_KEY={KEY}");
    let run = |era: &str, method: &[&str]| {
        let mut arguments = strings(&["-e", &key, "--protocol-era", era, "--method"]);
        arguments.extend(strings(method));
        arguments.extend(strings(&["--format", "json", "--"]));
        arguments.extend(server_command(&fixture, dir.path()));
        let home = home.path().to_owned();
        tokio::task::spawn_blocking(move || inspector(home, arguments))
    };
    for (era, protocol) in [("legacy", "2025-11-25"), ("auto", "2026-07-28")] {
        let output = run(era, &["initialize"]).await.unwrap();
        assert!(output.status.success(), "{}", described(&output));
        let introduced: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            introduced["result"]["protocolVersion"], protocol,
            "{introduced}"
        );

        let output = run(era, &["tools/list", "--strict"]).await.unwrap();
        assert!(output.status.success(), "{}", described(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("Warning"), "{era}: {stderr}");
        let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(listed.get("schemaFindings"), None, "{era}: {listed}");
        let tools = listed["result"]["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 6);
        for tool in tools {
            assert!(tool["title"].is_string(), "{tool}");
            assert!(tool["annotations"]["readOnlyHint"].is_boolean(), "{tool}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inspector_generates_over_http_with_the_token() {
    let fixture = Fixture::start(Duration::from_secs(1), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let token = "inspector-token-27182818284";
    let mut server = http_server(&fixture, dir.path(), token).await;
    let home = tempfile::tempdir().unwrap();
    let call = |header: Option<String>| {
        let mut arguments = vec![server.url.clone()];
        if let Some(header) = header {
            arguments.extend(["--header".into(), header]);
        }
        arguments.extend(strings(&[
            "--method",
            "tools/call",
            "--tool-name",
            "generate",
            "--tool-arg",
            "model=veo-3.1",
            "--tool-arg",
            r#"input={"prompt": "a red fox in snow"}"#,
            "--format",
            "json",
        ]));
        let home = home.path().to_owned();
        tokio::task::spawn_blocking(move || inspector(home, arguments))
    };
    let refused = call(None).await.unwrap();
    assert!(!refused.status.success(), "{}", described(&refused));
    assert_eq!(fixture.hub.counters().submits_received, 0);
    let output = call(Some(format!("Authorization: Bearer {token}")))
        .await
        .unwrap();
    assert!(output.status.success(), "{}", described(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    let report = &answer["result"]["structuredContent"];
    assert_eq!(report["state"], "downloaded", "{answer}");
    assert_eq!(fixture.hub.counters().submits_received, 1);
    server.terminate().await;
}
