//! Submits: validation first, the request sent, which failures are retried, and the
//! answers whose outcome is unknown (never sent twice).

use std::time::Duration;

use serde_json::{Value, json};
use videohub_core::{Client, Error, TaskStatus};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{SUBMIT, mount_submit, requests_to};

#[tokio::test]
async fn invalid_requests_are_not_sent() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let error = client
        .submit(&Demo {
            prompt: String::new(),
            duration: 5,
        })
        .await
        .expect_err("invalid");
    match &error {
        Error::InvalidRequest(errors) => assert_eq!(errors.errors()[0].param, "prompt"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

#[tokio::test]
async fn submit_sends_model_and_input_with_the_key_and_reads_task_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUBMIT))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"taskId": "1b2c3d4e-0000-0000-0000-000000000001"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let task = client(&server.uri())
        .submit(&demo())
        .await
        .expect("submitted");
    assert_eq!(task.id(), "1b2c3d4e-0000-0000-0000-000000000001");
    assert_eq!(task.model(), Some("demo-video"));
    let sent = requests_to(&server, "POST", SUBMIT).await;
    let body: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(
        body,
        json!({"model": "demo-video", "input": {"prompt": "a red fox in snow", "duration": 5}})
    );
}

#[tokio::test]
async fn submit_accepts_the_long_answer() {
    let server = MockServer::start().await;
    mount_submit(
        &server,
        json!({"task_id": "hub-7", "status": "pending", "capability": "video", "model": "veo-3.1-fast",
               "vendor": "Google", "mode": "text-to-video", "created_at": "2026-05-18T09:00:00.000Z"}),
    )
    .await;
    let mut input = serde_json::Map::new();
    input.insert("prompt".into(), json!("x"));
    let task = client(&server.uri())
        .submit_unchecked(
            videohub_core::Capability::Video.endpoint(),
            "veo-3.1-fast",
            input,
        )
        .await
        .expect("submitted");
    assert_eq!(task.id(), "hub-7");
    let receipt = task.receipt().expect("receipt");
    assert_eq!(receipt.status, Some(TaskStatus::Pending));
    assert_eq!(receipt.mode.as_deref(), Some("text-to-video"));
    assert_eq!(receipt.raw["capability"], "video");
    let sent = requests_to(&server, "POST", SUBMIT).await;
    let body: Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(
        body,
        json!({"model": "veo-3.1-fast", "input": {"prompt": "x"}})
    );
}

#[tokio::test]
async fn submit_is_retried_on_429_and_503() {
    for status in [429, 503] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SUBMIT))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("retry-after", "0")
                    .set_body_string("busy"),
            )
            .up_to_n_times(2)
            .mount(&server)
            .await;
        mount_submit(&server, json!({"taskId": "t-1"})).await;
        let task = client(&server.uri())
            .submit(&demo())
            .await
            .expect("submitted after retries");
        assert_eq!(task.id(), "t-1");
        assert_eq!(
            requests_to(&server, "POST", SUBMIT).await.len(),
            3,
            "status {status}"
        );
    }
}

#[tokio::test]
async fn submit_is_never_resent_after_500_502_504() {
    for status in [500, 502, 504] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SUBMIT))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"error": "upstream broke"})),
            )
            .mount(&server)
            .await;
        let error = client(&server.uri())
            .submit(&demo())
            .await
            .expect_err("unknown");
        match &error {
            Error::SubmitOutcomeUnknown {
                model,
                status: s,
                reason,
            } => {
                assert_eq!(model, "demo-video");
                assert_eq!(*s, Some(status));
                assert!(reason.contains("upstream broke"), "{reason}");
            }
            other => panic!("status {status}: unexpected {other:?}"),
        }
        assert!(error.to_string().contains("not resent"), "{error}");
        assert!(!error.is_transient());
        assert_eq!(
            requests_to(&server, "POST", SUBMIT).await.len(),
            1,
            "status {status}"
        );
    }
}

#[tokio::test]
async fn submit_rejections_are_not_retried() {
    type Check = fn(&Error) -> bool;
    let cases: [(u16, Check); 4] = [
        (400, |e| matches!(e, Error::BadRequest { status: 400, .. })),
        (422, |e| matches!(e, Error::BadRequest { status: 422, .. })),
        (401, |e| matches!(e, Error::Auth { status: 401, .. })),
        (402, |e| matches!(e, Error::InsufficientCredits { .. })),
    ];
    for (status, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SUBMIT))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"message": "no", "code": "E42"})),
            )
            .mount(&server)
            .await;
        let error = client(&server.uri())
            .submit(&demo())
            .await
            .expect_err("rejected");
        assert!(expected(&error), "status {status}: {error:?}");
        assert_eq!(requests_to(&server, "POST", SUBMIT).await.len(), 1);
    }
}

#[tokio::test]
async fn a_connection_dropped_after_the_submit_is_an_unknown_outcome_sent_once() {
    let server = RawServer::start(vec![
        Conn::DropAfterRequest,
        Conn::Reply(json_reply(200, r#"{"taskId":"t-2"}"#)),
    ])
    .await;
    let error = client(&server.base)
        .submit(&demo())
        .await
        .expect_err("dropped");
    assert!(
        matches!(error, Error::SubmitOutcomeUnknown { status: None, .. }),
        "{error:?}"
    );
    assert_eq!(
        server.count(),
        1,
        "the submit must reach the hub exactly once"
    );
}

#[tokio::test]
async fn a_submit_answer_that_times_out_is_an_unknown_outcome_sent_once() {
    let server = RawServer::start(vec![Conn::Hang]).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry(fast_retry())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = client.submit(&demo()).await.expect_err("timed out");
    assert!(
        matches!(error, Error::SubmitOutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_unreadable_submit_answer_is_an_unknown_outcome() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SUBMIT))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>ok</html>"))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .submit(&demo())
        .await
        .expect_err("unreadable");
    assert!(
        matches!(error, Error::SubmitOutcomeUnknown { status: None, .. }),
        "{error:?}"
    );
    assert_eq!(requests_to(&server, "POST", SUBMIT).await.len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_not_an_unknown_outcome() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let error = client(&base).submit(&demo()).await.expect_err("refused");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}
