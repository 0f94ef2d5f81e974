//! The client against real local HTTP servers: submits, retries, errors, polling,
//! outputs, downloads, the catalog and the secrecy of the key.

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use serde_json::{Value, json};
use videohub_core::{
    Capability, Client, Error, ErrorCode, Media, PollPolicy, RetryPolicy, TaskStatus,
};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SUBMIT: &str = "/hub/v1/video";

fn task_path(id: &str) -> String {
    format!("/hub/v1/tasks/{id}")
}

async fn mount_submit(server: &MockServer, answer: Value) {
    Mock::given(method("POST"))
        .and(path(SUBMIT))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(server)
        .await;
}

/// Mounts answers for a task in order; the last one repeats.
async fn mount_task_sequence(server: &MockServer, id: &str, answers: Vec<Value>) {
    let last = answers.len() - 1;
    for (i, answer) in answers.into_iter().enumerate() {
        let mock = Mock::given(method("GET"))
            .and(path(task_path(id)))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer));
        if i < last {
            mock.up_to_n_times(1).mount(server).await
        } else {
            mock.mount(server).await
        }
    }
}

async fn requests_to(server: &MockServer, method_name: &str, p: &str) -> Vec<Request> {
    let all = server.received_requests().await.expect("recording");
    all.into_iter()
        .filter(|r| r.method.as_str() == method_name && r.url.path() == p)
        .collect()
}

fn completed(id: &str, data: Value) -> Value {
    json!({"task_id": id, "status": "completed", "ready": true, "data": data, "elapsed_ms": 42000})
}

// --- configuration ----------------------------------------------------------------------

#[test]
fn a_missing_key_says_how_to_set_it() {
    let error = Client::builder().build().expect_err("no key");
    assert!(matches!(error, Error::MissingApiKey));
    let text = error.to_string();
    assert!(text.contains("MOUNTSEA_API_KEY"), "{text}");
    assert!(text.contains("export"), "{text}");
    assert!(matches!(
        Client::builder().api_key("  ").build(),
        Err(Error::MissingApiKey)
    ));
}

#[test]
fn plain_http_only_to_loopback_unless_allowed() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .api_key(KEY)
            .base_url(url)
            .allow_insecure_http(allow)
            .build()
    };
    assert!(matches!(
        build("http://hub.example.com", false),
        Err(Error::Config { .. })
    ));
    assert!(build("http://hub.example.com", true).is_ok());
    assert!(build("http://127.0.0.1:8080", false).is_ok());
    assert!(build("http://localhost:8080", false).is_ok());
    assert!(build("http://[::1]:8080", false).is_ok());
    assert!(build("https://hub.example.com", false).is_ok());
    assert!(matches!(
        build("ftp://hub.example.com", true),
        Err(Error::Config { .. })
    ));
    let default = Client::builder().api_key(KEY).build().expect("default");
    assert_eq!(default.base_url().as_str(), "https://api.mountsea.ai/");
}

#[test]
fn the_key_is_not_in_debug_output() {
    let client = Client::builder().api_key(KEY).build().expect("client");
    let shown = format!("{client:?} {:?}", Client::builder().api_key(KEY));
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("***"), "{shown}");
}

// --- submit ------------------------------------------------------------------------------

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

// --- GET errors and retries ---------------------------------------------------------------

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

// --- polling -----------------------------------------------------------------------------

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

// --- downloads ---------------------------------------------------------------------------

fn file_names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn a_video_is_saved_without_the_key_reaching_the_download_host() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    let bytes = b"\x00\x00\x00\x18ftypmp42 fake video bytes".to_vec();
    Mock::given(method("GET"))
        .and(path("/files/fox.mp4"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(bytes.clone()))
        .expect(1)
        .mount(&cdn)
        .await;
    let url = format!("{}/files/fox.mp4", cdn.uri());
    mount_task_sequence(
        &hub,
        "dl",
        vec![completed(
            "dl",
            json!({"video": {"url": url, "file_size": bytes.len()}}),
        )],
    )
    .await;

    let output = client(&hub.uri())
        .task_by_id("dl")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("fox.mp4");
    let written = output.save(&target).await.expect("saved");
    assert_eq!(written, bytes.len() as u64);
    assert_eq!(std::fs::read(&target).expect("read"), bytes);
    assert_eq!(
        file_names(dir.path()),
        ["fox.mp4"],
        "no temporary file is left"
    );

    let hub_requests = hub.received_requests().await.expect("recording");
    assert!(
        hub_requests
            .iter()
            .all(|r| r.headers.get("authorization").is_some())
    );
    let cdn_requests = cdn.received_requests().await.expect("recording");
    assert_eq!(cdn_requests.len(), 1);
    assert!(
        cdn_requests[0].headers.get("authorization").is_none(),
        "the key reached the download host"
    );
    let all_headers = format!("{:?}", cdn_requests[0].headers);
    assert!(!all_headers.contains(KEY));
}

#[tokio::test]
async fn a_short_download_leaves_no_file_under_the_final_name() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/short.mp4"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![7u8; 10]))
        .mount(&cdn)
        .await;
    let url = format!("{}/short.mp4", cdn.uri());
    mount_task_sequence(
        &hub,
        "s",
        vec![completed(
            "s",
            json!({"video": {"url": url, "file_size": 20}}),
        )],
    )
    .await;
    let output = client(&hub.uri())
        .task_by_id("s")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("short.mp4");
    let error = output.save(&target).await.expect_err("short");
    assert!(
        matches!(
            error,
            Error::DownloadIncomplete {
                expected: 20,
                received: 10
            }
        ),
        "{error:?}"
    );
    assert!(!target.exists());
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );
}

#[tokio::test]
async fn a_body_truncated_on_every_try_leaves_no_file_under_the_final_name() {
    let mut reply = b"HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n".to_vec();
    reply.extend_from_slice(&common::file(5000));
    let cdn = RawServer::start(vec![Conn::Reply(reply)]).await;
    let hub = MockServer::start().await;
    let url = format!("{}/cut.mp4", cdn.base);
    mount_task_sequence(
        &hub,
        "cut",
        vec![completed("cut", json!({"video_url": url}))],
    )
    .await;
    let output = client(&hub.uri())
        .task_by_id("cut")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("cut.mp4");
    std::fs::write(dir.path().join("other.txt"), b"kept").expect("write");
    let error = output.save(&target).await.expect_err("truncated");
    // Every try is cut (the default 5 retries): the last cause comes with the count.
    assert!(
        matches!(
            &error,
            Error::DownloadInterrupted { attempts: 6, source, .. }
                if matches!(**source, Error::Transport(_) | Error::DownloadIncomplete { .. })
        ),
        "{error:?}"
    );
    assert_eq!(cdn.count(), 6);
    assert!(!target.exists());
    assert_eq!(file_names(dir.path()), ["other.txt"]);
}

#[tokio::test]
async fn a_failed_download_status_is_an_error() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&cdn)
        .await;
    let url = format!("{}/expired.mp4", cdn.uri());
    mount_task_sequence(&hub, "e", vec![completed("e", json!({"video_url": url}))]).await;
    let output = client(&hub.uri())
        .task_by_id("e")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let error = output
        .save(dir.path().join("e.mp4"))
        .await
        .expect_err("403");
    assert!(
        matches!(error, Error::DownloadStatus { status: 403 }),
        "{error:?}"
    );
    assert!(file_names(dir.path()).is_empty());
}

// --- catalog -----------------------------------------------------------------------------

#[tokio::test]
async fn the_catalog_is_read_leniently() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/models"))
        .and(query_param("capability", "video"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"models": [
            {"id": "veo-3.1", "name": "Veo 3.1", "vendor": "Google", "category": "text-to-video", "extra": 1},
            {"model": "kling-v3-pro", "category": "image-to-video"},
            {"unrelated": true}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/models/veo-3.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "veo-3.1", "category": "text-to-video",
            "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
            "example": {"prompt": "a fox"}
        })))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let models = client
        .models(videohub_core::Capability::Video)
        .await
        .expect("list");
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["veo-3.1", "kling-v3-pro"]
    );
    assert_eq!(models[0].vendor.as_deref(), Some("Google"));
    assert_eq!(models[0].raw["extra"], 1);
    assert_eq!(
        models[1].category_kind(),
        Some(videohub_core::schema::Category::ImageToVideo)
    );
    let veo = client.model("veo-3.1").await.expect("model");
    assert_eq!(
        veo.input_schema.as_ref().expect("schema")["properties"]["prompt"]["type"],
        "string"
    );
    assert_eq!(veo.example, Some(json!({"prompt": "a fox"})));
}

// --- secrecy of the key ------------------------------------------------------------------

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
