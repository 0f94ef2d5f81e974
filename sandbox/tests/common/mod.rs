//! Shared pieces of the sandbox tests: fast sandboxes, a keyed client, polling, raw TCP.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use videohub_sandbox::{
    ModelSchema, Sandbox, SandboxBuilder, SandboxHandle, TaskDuration, load_models,
};

pub const KEY: &str = "sk-sandbox-test";

/// The 20 models of the hub's model list fixture, compiled or not.
pub fn fixture_models() -> Vec<ModelSchema> {
    load_models(include_str!("../../../tests/fixtures/models.json")).expect("the fixture reads")
}

/// Tasks that finish in 30 ms.
pub fn fast() -> SandboxBuilder {
    Sandbox::builder().durations(TaskDuration::Fixed(Duration::from_millis(30)))
}

/// Tasks that never finish during a test.
pub fn slow_tasks() -> SandboxBuilder {
    Sandbox::builder().durations(TaskDuration::Fixed(Duration::from_secs(3600)))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub fn veo_input() -> Value {
    json!({"model": "veo-3.1", "input": {"prompt": "a red fox trotting through fresh snow"}})
}

pub async fn submit(sandbox: &SandboxHandle, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}/hub/v1/video", sandbox.url()))
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .expect("the submit gets an answer")
}

pub async fn get(sandbox: &SandboxHandle, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", sandbox.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("an answer")
}

/// Submits, returns the task id of a `taskId` answer.
pub async fn submit_ok(sandbox: &SandboxHandle, body: &Value) -> String {
    let response = submit(sandbox, body).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("JSON");
    answer["taskId"]
        .as_str()
        .or(answer["task_id"].as_str())
        .expect("a task id")
        .to_owned()
}

/// Polls until `ready` (bounded: at most 1000 polls 10 ms apart), returns every answer.
pub async fn poll_until_ready(sandbox: &SandboxHandle, task_id: &str) -> Vec<Value> {
    let mut answers = Vec::new();
    for _ in 0..1000 {
        let response = get(sandbox, &format!("/hub/v1/tasks/{task_id}")).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.expect("JSON");
        let ready = answer["ready"].as_bool().expect("ready is a bool");
        answers.push(answer);
        if ready {
            return answers;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("task {task_id} never became ready: {answers:?}");
}

/// How a raw HTTP exchange ended.
#[derive(Debug)]
pub struct RawOutcome {
    /// Every byte received before the end.
    pub received: Vec<u8>,
    /// The error that ended the read, if any (else a clean EOF).
    pub error: Option<std::io::ErrorKind>,
}

/// Sends one HTTP/1.1 request over a plain TCP stream and reads until the server closes.
/// With `keyed`, it carries `Authorization: Bearer KEY`.
pub async fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &str,
    keyed: bool,
) -> RawOutcome {
    let auth = if keyed {
        format!("Authorization: Bearer {KEY}\r\n")
    } else {
        String::new()
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_exchange(addr, &request).await
}

/// Sends `request` (a whole HTTP/1.1 request, `Connection: close`) over a plain TCP stream
/// and reads until the server closes.
pub async fn raw_exchange(addr: std::net::SocketAddr, request: &str) -> RawOutcome {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write the request");
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await {
            Err(_) => panic!("the server neither answered nor closed the connection"),
            Ok(Ok(0)) => {
                return RawOutcome {
                    received,
                    error: None,
                };
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Ok(Err(e)) => {
                return RawOutcome {
                    received,
                    error: Some(e.kind()),
                };
            }
        }
    }
}
