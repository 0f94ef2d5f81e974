//! The key is absent from logs and errors.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{completed, mount_submit, mount_task_sequence, task_path};

#[tokio::test]
async fn the_key_is_absent_from_logs_and_errors() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let server = MockServer::start().await;
    mount_submit(&server, json!({"taskId": "k"})).await;
    mount_task_sequence(
        &server,
        "k",
        vec![completed(
            "k",
            json!({"video_url": "https://cdn.example/k.mp4"}),
        )],
    )
    .await;
    Mock::given(method("GET"))
        .and(path(task_path("denied")))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad key"))
        .mount(&server)
        .await;

    let client = client(&server.uri());
    let task = client.submit(&demo()).await.expect("submitted");
    task.wait_with(fast_poll()).await.expect("done");
    let error = client
        .task_by_id("denied")
        .status()
        .await
        .expect_err("denied");

    let text = logs.text();
    assert!(
        text.contains("videohub.request") && text.contains("videohub.task"),
        "spans are logged: {text}"
    );
    assert!(!text.contains(KEY), "the key was logged");
    assert!(!text.contains("SECRET"), "part of the key was logged");
    assert!(!format!("{error} {error:?} {task:?}").contains(KEY));
}
