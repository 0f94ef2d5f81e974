//! `videohub mcp --http`: locked by a token, for this machine's pages only, stopped without
//! losing a job (a download under way finishes within `--grace`).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::agent::{Fixture, KEY};

/// An `initialize` of the session era.
fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}})
}

/// A server process on HTTP: its address, the token it printed, what it writes on standard
/// error.
pub(super) struct Server {
    child: tokio::process::Child,
    pub(super) url: String,
    token: Option<String>,
    banner: String,
    log: Arc<Mutex<String>>,
    http: reqwest::Client,
}

impl Server {
    /// Starts `command` (a `videohub … mcp --http 127.0.0.1:0 …`) and reads its banner.
    pub(super) async fn start(command: std::process::Command) -> Server {
        let mut command = tokio::process::Command::from(command);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut before = String::new();
        let first = loop {
            let line = lines.next_line().await.unwrap().expect("a banner");
            if line.starts_with("videohub MCP server on ") {
                break line;
            }
            before.push_str(&line);
            before.push('\n');
        };
        let second = lines.next_line().await.unwrap().expect("the token's line");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the address in the banner")
            .to_owned();
        let token = second
            .trim()
            .strip_prefix("token: ")
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|t| t.len() == 48)
            .map(str::to_owned);
        let log = Arc::new(Mutex::new(format!("{before}{first}\n{second}\n")));
        let collected = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let mut log = collected.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server {
            child,
            url,
            token,
            banner: format!("{first}\n{second}"),
            log,
            http: reqwest::Client::new(),
        }
    }

    /// A POST of `body` to the server, with `token` when given and the headers of `extra`.
    async fn post(
        &self,
        body: &Value,
        token: Option<&str>,
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// The status answered to a POST whose headers declare a body of `length` bytes, read
    /// before any byte of it is sent (a client still writing a large body would see the
    /// connection closed under it instead).
    async fn status_of_declared_body(&self, token: &str, length: usize) -> u16 {
        use tokio::io::AsyncWriteExt;
        let addr = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp");
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
            .await
            .expect("answered before the body is sent")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..read]);
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|status| status.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
    }

    /// Opens a session with the server's token; returns its id.
    async fn session(&self) -> String {
        let token = self.token.as_deref();
        let answer = self.post(&initialize(), token, &[]).await;
        assert!(answer.status().is_success(), "{answer:?}");
        let session = answer.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let headers = [
            ("mcp-session-id", session.as_str()),
            ("mcp-protocol-version", "2025-11-25"),
        ];
        let answer = self.post(&initialized, token, &headers).await;
        assert!(answer.status().is_success(), "{answer:?}");
        session
    }

    /// Sends SIGTERM and returns the exit code once the process ended.
    pub(super) async fn terminate(&mut self) -> Option<i32> {
        self.signal("-TERM").await
    }

    /// Sends a signal (`-TERM`, `-INT`) and returns the exit code once the process ended.
    async fn signal(&mut self, signal: &str) -> Option<i32> {
        let pid = self.child.id().unwrap().to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server stops within 30 s of the signal")
            .unwrap();
        status.code()
    }

    /// What the server wrote on standard output and standard error, once it ended.
    async fn output(&mut self) -> (String, String) {
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        (stdout, self.log.lock().unwrap().clone())
    }
}

/// `videohub --sandbox mcp --http ADDR` on a journal of its own, logging everything.
fn on_own_sandbox(dir: &std::path::Path, addr: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_videohub"));
    command
        .env_remove("VIDEOHUB_MCP_TOKEN")
        .env("RUST_LOG", "trace")
        .args(["--sandbox", "--store"])
        .arg(dir.join("journal.sqlite3"))
        .args(["mcp", "--http", addr, "--output-dir"])
        .arg(dir);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn the_http_transport_answers_only_its_token_from_this_machines_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(on_own_sandbox(dir.path(), "127.0.0.1:0")).await;
    let token = server.token.clone().expect("a token printed on start");
    assert!(
        server.banner.contains("Authorization: Bearer"),
        "{}",
        server.banner
    );

    let without = server.post(&initialize(), None, &[]).await;
    assert_eq!(without.status(), 401);
    assert!(
        without.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let wrong = server
        .post(&initialize(), Some("0123456789abcdef0123"), &[])
        .await;
    assert_eq!(wrong.status(), 401);
    let foreign = [("origin", "http://videos.example")];
    let page = server.post(&initialize(), Some(&token), &foreign).await;
    assert_eq!(page.status(), 403, "a page of another site");
    let rebound = [("host", "videos.example")];
    let renamed = server.post(&initialize(), Some(&token), &rebound).await;
    assert_eq!(
        renamed.status(),
        403,
        "a page's DNS name pointed at 127.0.0.1"
    );
    assert_eq!(server.status_of_declared_body(&token, 5 << 20).await, 413);

    let local = [("origin", "http://localhost:6274")];
    let answer = server.post(&initialize(), Some(&token), &local).await;
    assert_eq!(answer.status(), 200, "{answer:?}");
    let body = answer.text().await.unwrap();
    assert!(body.contains(r#""name":"videohub""#), "{body}");
    assert!(body.contains("get_job"), "the instructions: {body}");

    assert_eq!(server.terminate().await, Some(143));
    let (stdout, log) = server.output().await;
    assert_eq!(stdout, "", "nothing on standard output");
    assert_eq!(
        log.matches(&token).count(),
        1,
        "the token is printed once and never logged: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_chosen_by_the_user_is_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = "a-token-of-my-own-2718281828";
    let mut command = on_own_sandbox(dir.path(), "127.0.0.1:0");
    command.env("VIDEOHUB_MCP_TOKEN", chosen);
    // Traces exported (to a port where nothing listens) do not silence the server's log.
    command.env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
    let mut server = Server::start(command).await;
    assert_eq!(server.token, None);
    assert!(
        server.banner.contains("VIDEOHUB_MCP_TOKEN"),
        "{}",
        server.banner
    );
    assert_eq!(server.post(&initialize(), None, &[]).await.status(), 401);
    let answer = server.post(&initialize(), Some(chosen), &[]).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(server.signal("-INT").await, Some(130), "as after Ctrl-C");
    let (_, log) = server.output().await;
    assert!(!log.contains(chosen), "{log}");
    assert!(log.contains("refused a request"), "{log}");

    let short = std::process::Command::new(env!("CARGO_BIN_EXE_videohub"))
        .env("VIDEOHUB_MCP_TOKEN", "short")
        .args(["--sandbox", "mcp", "--http", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2), "{short:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_beyond_this_machine_needs_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_videohub"))
        .args(["--sandbox", "--store"])
        .arg(dir.path().join("journal.sqlite3"))
        .args(["mcp", "--http", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(stderr.contains("--allow-remote"), "{stderr}");
    assert!(
        !dir.path().join("journal.sqlite3").exists(),
        "refused before anything else"
    );

    let mut command = on_own_sandbox(dir.path(), "0.0.0.0:0");
    command.arg("--allow-remote");
    let mut server = Server::start(command).await;
    let token = server.token.clone().unwrap();
    let named = [("host", "videos.example:8791")];
    let answer = server.post(&initialize(), Some(&token), &named).await;
    assert_eq!(answer.status(), 200, "any host name, with the token");
    let answer = server.post(&initialize(), None, &named).await;
    assert_eq!(answer.status(), 401);
    server.terminate().await;
}

/// An MCP server over HTTP on `fixture`'s hub, saving to `dir`, with a token it made.
async fn server_on(fixture: &Fixture, dir: &std::path::Path) -> Server {
    let mut command = fixture.videohub();
    command
        .env_remove("VIDEOHUB_MCP_TOKEN")
        .args(["mcp", "--http", "127.0.0.1:0", "--output-dir"])
        .arg(dir);
    Server::start(command).await
}

/// A `generate` call of a session of `server` that waits up to 50 s for the video, in a task
/// of its own: what the server answered.
async fn generate_waiting(server: &mut Server) -> tokio::task::JoinHandle<reqwest::Result<String>> {
    let session = server.session().await;
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "generate",
        "arguments": {"model": "veo-3.1", "input": {"prompt": "a red fox"}, "wait_seconds": 50}}});
    let (http, url, token) = (
        server.http.clone(),
        server.url.clone(),
        server.token.clone().unwrap(),
    );
    tokio::spawn(async move {
        let answer = http
            .post(url)
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&call)
            .send()
            .await?;
        answer.text().await
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_in_the_middle_of_a_wait_leaves_the_job_to_resume() {
    let fixture = Fixture::start(Duration::from_secs(6), 1.0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = server_on(&fixture, dir.path()).await;
    let waiting = generate_waiting(&mut server).await;
    fixture.until_render_started().await;

    assert_eq!(server.terminate().await, Some(143));
    let _ = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the open call ends with the server");
    fixture.assert_let_go_then_resumed_once();
    assert!(!server.output().await.1.contains(KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_in_the_middle_of_a_download_lets_it_finish_within_the_grace() {
    // Half of the file at once, the rest 2 s later.
    let faults = "kinds=slow,on=download,rate=1,slow=2s";
    let fixture = Fixture::with_faults(Duration::from_millis(100), 1.0, faults).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = server_on(&fixture, dir.path()).await;
    let waiting = generate_waiting(&mut server).await;
    for _ in 0..1200 {
        if fixture.hub.counters().downloads == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(fixture.hub.counters().downloads, 1, "the download began");

    assert_eq!(server.terminate().await, Some(143));
    let _ = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the open call ends with the server");
    let jobs = fixture.jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(
        jobs[0]["state"], "downloaded",
        "finished before the exit: {jobs:?}"
    );
    let counters = fixture.hub.counters();
    assert_eq!((counters.tasks_created, counters.downloads), (1, 1));
}
