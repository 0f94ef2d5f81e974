//! `GET` requests: each status's error, undecodable answers, retries and `Retry-After`.

use std::time::Duration;

use serde_json::json;
use videohub_core::{Error, RetryPolicy, TaskStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{mount_task_sequence, requests_to, task_path};

#[tokio::test]
async fn each_status_maps_to_its_error() {
    let server = MockServer::start().await;
    let cases: Vec<(u16, ResponseTemplate)> = vec![
        (
            400,
            ResponseTemplate::new(400).set_body_json(json!({"error": "bad id", "code": "BAD"})),
        ),
        (
            401,
            ResponseTemplate::new(401).set_body_json(json!({"detail": "invalid key"})),
        ),
        (
            403,
            ResponseTemplate::new(403).set_body_string("forbidden here"),
        ),
        (
            402,
            ResponseTemplate::new(402).set_body_json(json!({"message": "top up"})),
        ),
        (
            404,
            ResponseTemplate::new(404).set_body_json(json!({"error": {"message": "no such task"}})),
        ),
        (
            422,
            ResponseTemplate::new(422)
                .set_body_json(json!({"detail": [{"loc": ["id"], "msg": "bad"}]})),
        ),
        (
            429,
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_string("slow down"),
        ),
        (500, ResponseTemplate::new(500).set_body_string("")),
        (418, ResponseTemplate::new(418).set_body_string("teapot")),
    ];
    for (status, template) in &cases {
        Mock::given(method("GET"))
            .and(path(task_path(&format!("s{status}"))))
            .respond_with(template.clone())
            .mount(&server)
            .await;
    }
    let client = client_with(&server.uri(), RetryPolicy::none());
    for (status, _) in &cases {
        let error = client
            .task_by_id(format!("s{status}"))
            .status()
            .await
            .expect_err("error status");
        assert_eq!(error.status(), Some(*status), "{error:?}");
        let ok = match (status, &error) {
            (400, Error::BadRequest { message, code, .. }) => {
                message == "bad id" && code.as_deref() == Some("BAD")
            }
            (401, Error::Auth { message, .. }) => message == "invalid key",
            (403, Error::Auth { message, .. }) => message == "forbidden here",
            (402, Error::InsufficientCredits { message }) => message == "top up",
            (404, Error::NotFound { message }) => message == "no such task",
            (422, Error::BadRequest { message, .. }) => message.contains("bad"),
            (
                429,
                Error::RateLimited {
                    retry_after,
                    message,
                },
            ) => *retry_after == Some(Duration::from_secs(7)) && message == "slow down",
            (500, Error::Server { message, .. }) => message == "Internal Server Error",
            (418, Error::Http { message, .. }) => message == "teapot",
            _ => false,
        };
        assert!(ok, "status {status}: {error:?}");
    }
}

#[tokio::test]
async fn an_undecodable_answer_is_a_decode_error_with_a_bounded_excerpt() {
    let server = MockServer::start().await;
    let junk = format!("<html>{}</html>", "x".repeat(5000));
    Mock::given(method("GET"))
        .and(path(task_path("j")))
        .respond_with(ResponseTemplate::new(200).set_body_string(junk))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .task_by_id("j")
        .status()
        .await
        .expect_err("junk");
    match error {
        Error::Decode { excerpt, .. } => {
            assert!(excerpt.starts_with("<html>xxx"));
            assert!(excerpt.chars().count() < 1000);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn gets_are_retried_on_5xx_and_429_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(task_path("r")))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(task_path("r")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_task_sequence(
        &server,
        "r",
        vec![json!({"task_id": "r", "status": "processing", "ready": false})],
    )
    .await;
    let state = client(&server.uri())
        .task_by_id("r")
        .status()
        .await
        .expect("after retries");
    assert_eq!(state.status, TaskStatus::Processing);
    assert_eq!(requests_to(&server, "GET", &task_path("r")).await.len(), 3);
}

#[tokio::test]
async fn gets_give_up_after_the_retries_and_do_not_retry_4xx() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(task_path("down")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(task_path("gone")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let error = client.task_by_id("down").status().await.expect_err("down");
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_transient());
    assert_eq!(
        requests_to(&server, "GET", &task_path("down")).await.len(),
        4,
        "1 try + 3 retries"
    );
    let error = client.task_by_id("gone").status().await.expect_err("gone");
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(
        requests_to(&server, "GET", &task_path("gone")).await.len(),
        1
    );
}

#[tokio::test]
async fn gets_are_retried_after_a_dropped_connection() {
    let answer = json_reply(200, r#"{"task_id":"d","status":"pending","ready":false}"#);
    let server = RawServer::start(vec![Conn::DropAfterRequest, Conn::Reply(answer)]).await;
    let state = client(&server.base)
        .task_by_id("d")
        .status()
        .await
        .expect("retried");
    assert_eq!(state.status, TaskStatus::Pending);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_long_one_is_returned() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(task_path("ra")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_task_sequence(
        &server,
        "ra",
        vec![json!({"task_id": "ra", "status": "pending", "ready": false})],
    )
    .await;
    Mock::given(method("GET"))
        .and(path(task_path("long")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    // Backoff alone would wait at most 2 ms: the 1 s delay in the log comes from Retry-After.
    let client = client_with(
        &server.uri(),
        fast_retry().max_retry_after(Duration::from_secs(5)),
    );
    client
        .task_by_id("ra")
        .status()
        .await
        .expect("after Retry-After");
    assert_eq!(requests_to(&server, "GET", &task_path("ra")).await.len(), 2);
    assert!(logs.text().contains("delay_ms=1000"), "{}", logs.text());

    let error = client
        .task_by_id("long")
        .status()
        .await
        .expect_err("too long to wait");
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(120)),
        "{error:?}"
    );
    assert_eq!(
        requests_to(&server, "GET", &task_path("long")).await.len(),
        1
    );
}
