//! A key that occurs in the hub's answers. The answers are read as the hub wrote them: a
//! short key such as `task` is never cut out of `taskId`, and the paid task is followed and
//! downloaded. What is shown of them (errors, logs, `Debug`, the JSON kept of an answer)
//! never holds a key long enough to be told from ordinary text.

use std::time::Duration;

use serde_json::{Value, json};
use videohub_core::{Client, Error, TaskState};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{SUBMIT, requests_to};

/// Keys too short to be told from ordinary text, each in every answer of the hub below.
const SHORT_KEYS: [&str; 3] = ["k", "task", "test"];

fn client_with_key(key: &str, base: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(base)
        .retry(fast_retry())
        .download_retries(0)
        .download_idle_timeout(Duration::from_secs(2))
        .build()
        .expect("client")
}

async fn mount(hub: &MockServer, verb: &str, at: &str, status: u16, answer: Value) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(answer))
        .mount(hub)
        .await;
}

#[tokio::test]
async fn a_short_key_in_the_answers_loses_no_task() {
    for key in SHORT_KEYS {
        let body = file(LEN);
        let cdn = RawServer::start(vec![Conn::Reply(whole("", &body))]).await;
        let hub = MockServer::start().await;
        let id = "task-test-k-1";
        let url = format!("{}/files/task/test-k.mp4", cdn.base);
        mount(&hub, "POST", SUBMIT, 200, json!({"taskId": id})).await;
        mount(
            &hub,
            "GET",
            &format!("/hub/v1/tasks/{id}"),
            200,
            json!({"task_id": id, "status": "completed", "ready": true,
                "data": {"video": {"url": url, "file_name": "test-k.mp4"}}}),
        )
        .await;
        let client = client_with_key(key, &hub.uri());

        let task = client.submit(&demo()).await.expect("the task was read");
        assert_eq!(task.id(), id, "{key}");
        assert_eq!(task.receipt().expect("receipt").raw, json!({"taskId": id}));
        let output = task.wait_with(fast_poll()).await.expect("followed");
        assert_eq!(output.file().expect("a video").url(), url, "{key}");
        assert_eq!(output.raw()["data"]["video"]["url"], url.as_str(), "{key}");
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("v.mp4");
        output.save(&target).await.expect("downloaded");
        assert_eq!(std::fs::read(&target).expect("saved"), body, "{key}");
        let submits = requests_to(&hub, "POST", SUBMIT).await.len();
        assert_eq!(submits, 1, "{key}: one task submitted");
        for head in cdn.heads() {
            assert!(header_of(&head, "authorization").is_none(), "{head}");
        }
    }
}

#[tokio::test]
async fn a_short_key_leaves_the_hubs_messages_as_written() {
    for key in SHORT_KEYS {
        let hub = MockServer::start().await;
        mount(
            &hub,
            "GET",
            "/hub/v1/tasks/denied",
            401,
            json!({"error": "invalid or missing API key"}),
        )
        .await;
        mount(
            &hub,
            "POST",
            SUBMIT,
            400,
            json!({"message": "the test task needs a prompt", "code": "task_invalid"}),
        )
        .await;
        let client = client_with_key(key, &hub.uri());
        let denied = client
            .task_by_id("denied")
            .status()
            .await
            .expect_err("refused");
        assert_eq!(
            denied.to_string(),
            "the hub refused the API key (HTTP 401): invalid or missing API key",
            "{key}"
        );
        match client.submit(&demo()).await.expect_err("refused") {
            Error::BadRequest { message, code, .. } => {
                assert_eq!(message, "the test task needs a prompt", "{key}");
                assert_eq!(code.as_deref(), Some("task_invalid"), "{key}");
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_long_key_in_every_answer_is_never_shown() {
    let key = "hub-key-0123456789";
    let body = file(LEN);
    let cdn = RawServer::start(vec![Conn::Reply(whole("", &body))]).await;
    let hub = MockServer::start().await;
    mount(
        &hub,
        "POST",
        SUBMIT,
        200,
        json!({"taskId": "t-1", "note": format!("accepted for {key}")}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/t-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "task_id": "t-1", "status": format!("queued-for-{key}"), "ready": false,
            "message": format!("running, Authorization: Bearer {key}")
        })))
        // One answer for the status asked below, one for the wait's first poll.
        .up_to_n_times(2)
        .mount(&hub)
        .await;
    mount(
        &hub,
        "GET",
        "/hub/v1/tasks/t-1",
        200,
        json!({"task_id": "t-1", "status": "completed", "ready": true,
            "data": {"video": {"url": format!("{}/v.mp4", cdn.base)}, "billed_to": key}}),
    )
    .await;
    mount(
        &hub,
        "GET",
        "/hub/v1/tasks/t-2",
        200,
        json!({"task_id": "t-2", "status": "completed", "ready": true,
            "data": {"video_url": format!("{}/v.mp4?key={key}", cdn.base)}}),
    )
    .await;
    mount(
        &hub,
        "GET",
        "/hub/v1/tasks/t-3",
        200,
        json!({"task_id": "t-3", "status": "failed", "ready": true,
            "error_code": format!("E-{key}"), "error_message": format!("key {key} is over quota")}),
    )
    .await;
    let logs = LogCapture::default();
    let _guard = logs.install();
    let client = client_with_key(key, &hub.uri());
    let mut shown = Vec::new();

    let task = client.submit(&demo()).await.expect("submitted");
    let receipt = task.receipt().expect("receipt");
    assert_eq!(receipt.raw["note"], "accepted for [redacted]");
    shown.push(format!("{task:?} {receipt:?}"));
    let first: TaskState = task.status().await.expect("a state");
    assert_eq!(
        first.raw["message"],
        "running, Authorization: Bearer [redacted]"
    );
    shown.push(format!("{first:?}"));
    let output = task.wait_with(fast_poll()).await.expect("followed");
    shown.push(format!("{output:?} {:?}", output.raw()));
    let dir = tempfile::tempdir().expect("dir");
    output
        .save(dir.path().join("v.mp4"))
        .await
        .expect("downloaded");

    // A file URL that holds the key is refused, never requested.
    let carrying = client
        .task_by_id("t-2")
        .wait_with(fast_poll())
        .await
        .expect("followed");
    let refused = carrying
        .save(dir.path().join("w.mp4"))
        .await
        .expect_err("refused");
    assert!(matches!(refused, Error::UrlRefused { .. }), "{refused:?}");
    assert_eq!(cdn.count(), 1, "only the first file was requested");
    shown.push(format!("{carrying:?} {refused} {refused:?}"));

    let failed = client
        .task_by_id("t-3")
        .wait_with(fast_poll())
        .await
        .expect_err("failed");
    assert_eq!(
        failed.to_string(),
        "task t-3 failed (code [redacted]): key [redacted] is over quota"
    );
    shown.push(format!("{failed:?}"));

    shown.push(logs.text());
    for text in shown {
        assert!(!text.contains(key), "the key is shown: {text}");
        assert!(
            !text.contains("0123456789"),
            "part of the key is shown: {text}"
        );
    }
    for head in cdn.heads() {
        assert!(header_of(&head, "authorization").is_none(), "{head}");
    }
}
