//! Polling a task: until it is ready, its failures, the deadline, a task resumed by id, the
//! files of its output, and the update stream.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use videohub_core::{Capability, Error, ErrorCode, Media, PollPolicy, TaskStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{SUBMIT, completed, mount_submit, mount_task_sequence, requests_to, task_path};

#[tokio::test]
async fn wait_polls_until_ready_through_unknown_statuses() {
    let server = MockServer::start().await;
    mount_submit(&server, json!({"taskId": "w"})).await;
    mount_task_sequence(
        &server,
        "w",
        vec![
            json!({"task_id": "w", "status": "pending", "ready": false}),
            json!({"task_id": "w", "status": "processing", "ready": false, "elapsed_ms": 1000}),
            json!({"task_id": "w", "status": "upscaling", "ready": false}),
            completed(
                "w",
                json!({"video": {"url": "https://cdn.example/w.mp4", "file_size": 3}}),
            ),
        ],
    )
    .await;
    let client = client(&server.uri());
    let task = client.submit(&demo()).await.expect("submitted");
    let updates: Vec<_> = task.updates_with(fast_poll()).collect().await;
    let statuses: Vec<String> = updates
        .iter()
        .map(|u| u.as_ref().expect("update").status().to_string())
        .collect();
    assert_eq!(
        statuses,
        ["pending", "processing", "upscaling", "completed"]
    );
    let last = updates.last().expect("last").as_ref().expect("ok");
    assert!(last.is_ready() && last.status_changed);
    assert_eq!(last.elapsed(), Duration::from_secs(42));
    assert_eq!(last.polls, 4);
}

#[tokio::test]
async fn generate_submits_and_waits() {
    let server = MockServer::start().await;
    mount_submit(&server, json!({"taskId": "g"})).await;
    mount_task_sequence(
        &server,
        "g",
        vec![
            json!({"task_id": "g", "status": "processing", "ready": false}),
            json!({"task_id": "g", "status": "processing", "ready": false}),
            completed("g", json!({"video_url": "https://cdn.example/g.mp4"})),
        ],
    )
    .await;
    let client = client(&server.uri());
    let output = client
        .generate_with(&demo(), fast_poll())
        .await
        .expect("done");
    assert_eq!(output.task_id(), "g");
    assert_eq!(
        output.file().expect("video").url(),
        "https://cdn.example/g.mp4"
    );
    assert_eq!(output.raw()["status"], "completed");
    assert_eq!(requests_to(&server, "GET", &task_path("g")).await.len(), 3);
}

#[tokio::test]
async fn failures_on_the_hub_become_errors() {
    let server = MockServer::start().await;
    let cases = [
        (
            "f1",
            json!({"status": "failed", "ready": true, "error_code": 1003, "error_message": "content policy"}),
        ),
        (
            "f2",
            json!({"status": "failed", "ready": true, "error_code": "UPSTREAM", "error_message": "provider down"}),
        ),
        (
            "f3",
            json!({"status": "timeout", "ready": true, "error_message": "took too long"}),
        ),
        ("f4", json!({"status": "cancelled", "ready": true})),
    ];
    for (id, answer) in &cases {
        mount_task_sequence(&server, id, vec![answer.clone()]).await;
    }
    let client = client(&server.uri());
    let wait = |id: &'static str| {
        let task = client.task_by_id(id);
        async move { task.wait_with(fast_poll()).await.expect_err("failed") }
    };
    match wait("f1").await {
        Error::TaskFailed {
            task_id,
            code,
            message,
        } => {
            assert_eq!(task_id, "f1");
            assert_eq!(code, Some(ErrorCode::Number(1003.into())));
            assert_eq!(message.as_deref(), Some("content policy"));
        }
        other => panic!("unexpected {other:?}"),
    }
    match wait("f2").await {
        Error::TaskFailed { code, .. } => {
            assert_eq!(code, Some(ErrorCode::Text("UPSTREAM".into())))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        matches!(wait("f3").await, Error::TaskTimedOut { message: Some(m), .. } if m == "took too long")
    );
    assert!(matches!(wait("f4").await, Error::TaskCancelled { task_id } if task_id == "f4"));
}

#[tokio::test]
async fn the_deadline_ends_the_wait_and_names_the_last_status() {
    let server = MockServer::start().await;
    mount_task_sequence(
        &server,
        "slow",
        vec![json!({"task_id": "slow", "status": "processing", "ready": false})],
    )
    .await;
    let policy = PollPolicy::default()
        .initial_delay(Duration::from_millis(5))
        .max_interval(Duration::from_millis(10))
        .deadline(Duration::from_millis(100));
    let error = client(&server.uri())
        .task_by_id("slow")
        .wait_with(policy)
        .await
        .expect_err("deadline");
    match error {
        Error::DeadlineExceeded {
            task_id,
            last_status,
            ..
        } => {
            assert_eq!(task_id, "slow");
            assert_eq!(last_status, "processing");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        !requests_to(&server, "GET", &task_path("slow"))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_task_resumes_from_a_bare_id() {
    let server = MockServer::start().await;
    mount_task_sequence(
        &server,
        "hub-42",
        vec![completed(
            "hub-42",
            json!({"videos": [{"url": "https://cdn.example/42.mp4"}]}),
        )],
    )
    .await;
    // A client in "another process": it never submitted anything.
    let client = client(&server.uri());
    let task = client.task::<Demo>("hub-42");
    assert_eq!(task.model(), Some("demo-video"));
    // A resumed task is polled at once: a long initial delay does not hold it up.
    let policy = fast_poll().initial_delay(Duration::from_secs(3600));
    let output = task.wait_with(policy).await.expect("done");
    assert_eq!(output.files()[0].url(), "https://cdn.example/42.mp4");
    assert!(requests_to(&server, "POST", SUBMIT).await.is_empty());
}

#[tokio::test]
async fn task_ids_are_escaped_in_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/a%2Fb%20c"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "pending", "ready": false})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let state = client(&server.uri())
        .task_by_id("a/b c")
        .status()
        .await
        .expect("escaped");
    assert_eq!(state.status, TaskStatus::Pending);
}

#[tokio::test]
async fn every_data_shape_yields_its_files_and_keeps_the_raw_json() {
    let server = MockServer::start().await;
    let shapes = [
        (
            "v1",
            json!({"video": {"url": "https://cdn.example/1.mp4", "content_type": "video/mp4", "file_name": "1.mp4", "file_size": 2048}}),
            vec!["https://cdn.example/1.mp4"],
        ),
        (
            "v2",
            json!({"videos": [{"url": "https://cdn.example/2a.mp4"}, {"url": "https://cdn.example/2b.mp4"}]}),
            vec!["https://cdn.example/2a.mp4", "https://cdn.example/2b.mp4"],
        ),
        (
            "v3",
            json!({"video_url": "https://cdn.example/3.mp4", "seed": 7}),
            vec!["https://cdn.example/3.mp4"],
        ),
        ("v4", json!({"transcript": "no file here"}), vec![]),
        (
            "v5",
            json!({"image": {"url": "https://cdn.example/5.png"}}),
            vec!["https://cdn.example/5.png"],
        ),
    ];
    for (id, data, _) in &shapes {
        mount_task_sequence(&server, id, vec![completed(id, data.clone())]).await;
    }
    let client = client(&server.uri());
    for (id, data, urls) in &shapes {
        let output = client
            .task_by_id(*id)
            .wait_with(fast_poll())
            .await
            .expect("done");
        let got: Vec<&str> = output.files().iter().map(|v| v.url()).collect();
        assert_eq!(&got, urls, "{id}");
        assert_eq!(output.data(), data, "{id}");
    }
    let first = client
        .task_by_id("v1")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let video = first.file().expect("video");
    assert_eq!(
        (video.content_type(), video.file_name(), video.file_size()),
        (Some("video/mp4"), Some("1.mp4"), Some(2048))
    );
    assert_eq!(first.file().map(|f| f.extension()), Some("mp4"));
    let image = client
        .task_by_id("v5")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let image = image.file().expect("image");
    assert_eq!((image.media(), image.extension()), (Media::Image, "png"));
    // A task known to make videos does not take that image for its video.
    let as_video = client
        .task_by_id("v5")
        .with_capability(Capability::Video)
        .wait_with(fast_poll())
        .await
        .expect("done");
    assert_eq!(as_video.files().len(), 1);
    assert!(as_video.file().is_none());
    let dir = tempfile::tempdir().expect("dir");
    assert!(matches!(
        as_video.save(dir.path().join("v5.mp4")).await,
        Err(Error::NoOutputFile { .. })
    ));
    assert!(!dir.path().join("v5.mp4").exists());
    let none = client
        .task_by_id("v4")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    assert!(matches!(
        none.save(dir.path().join("x.mp4")).await,
        Err(Error::NoOutputFile { .. })
    ));
}

#[tokio::test]
async fn dropping_the_stream_stops_polling() {
    let server = MockServer::start().await;
    mount_task_sequence(
        &server,
        "drop",
        vec![json!({"task_id": "drop", "status": "processing", "ready": false})],
    )
    .await;
    let task = client(&server.uri()).task_by_id("drop");
    let mut updates = Box::pin(task.updates_with(fast_poll()));
    let first = updates.next().await.expect("an update").expect("ok");
    assert!(first.status_changed && !first.is_ready());
    let second = updates.next().await.expect("an update").expect("ok");
    assert!(!second.status_changed);
    drop(updates);
    let polled = requests_to(&server, "GET", &task_path("drop")).await.len();
    assert_eq!(polled, 2);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        requests_to(&server, "GET", &task_path("drop")).await.len(),
        polled
    );
}
