//! The client's waits on an injected clock: retries, refusals and polls, against a mock hub.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::Client;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::poll::PollPolicy;
use crate::wire::RetryPolicy;

/// `GET /hub/v1/models` as JSON, through the client's transport.
async fn get_models(hub: &Client) -> Result<Value> {
    let transport = hub.hub.transport();
    transport
        .get_json(transport.endpoint("/hub/v1/models", &[]))
        .await
}

/// A clock whose sleeps take no time: it records them and moves its own time on.
struct FakeClock {
    start: Instant,
    slept: Mutex<Vec<Duration>>,
}

impl FakeClock {
    fn new() -> Arc<FakeClock> {
        Arc::new(FakeClock {
            start: Instant::now(),
            slept: Mutex::new(Vec::new()),
        })
    }

    /// The sleeps that waited for something (a task resumed by id is polled after a
    /// zero sleep).
    fn sleeps(&self) -> Vec<Duration> {
        let slept = self.slept.lock().expect("lock");
        slept.iter().copied().filter(|d| !d.is_zero()).collect()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + self.slept.lock().expect("lock").iter().sum::<Duration>()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.slept.lock().expect("lock").push(duration);
        Box::pin(std::future::ready(()))
    }
}

fn client(url: &str, clock: &Arc<FakeClock>, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_key("sk-test")
        .base_url(url)
        .timeout(Duration::from_millis(300))
        .retry(retry)
        .clock(clock.clone())
        .build()
        .expect("client")
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn retry_after_sets_the_delays_and_takes_no_real_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "30"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let hub = client(&server.uri(), &clock, RetryPolicy::default());
    let started = std::time::Instant::now();
    let value = get_models(&hub).await.expect("the third try succeeds");
    assert_eq!(value, json!({"ok": true}));
    assert_eq!(clock.sleeps(), [Duration::from_secs(30); 2]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(received(&server).await, 3);
}

#[tokio::test]
async fn backoff_delays_stay_within_their_doubling_bounds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let retry = RetryPolicy::default()
        .max_retries(4)
        .initial_backoff(Duration::from_millis(100))
        .max_backoff(Duration::from_millis(300));
    let hub = client(&server.uri(), &clock, retry);
    let error = get_models(&hub).await.expect_err("always 500");
    assert!(
        matches!(error, Error::Server { status: 500, .. }),
        "{error:?}"
    );
    let slept = clock.slept.lock().expect("lock").clone();
    assert_eq!(slept.len(), 4);
    for (delay, bound) in slept.iter().zip([100, 200, 300, 300]) {
        assert!(*delay <= Duration::from_millis(bound), "{slept:?}");
    }
    assert_eq!(received(&server).await, 5);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_ends_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let hub = client(&server.uri(), &clock, RetryPolicy::default());
    let error = get_models(&hub).await.expect_err("429");
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(600)),
        "{error:?}"
    );
    assert!(clock.sleeps().is_empty());
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_submit_the_hub_may_have_received_is_not_resent() {
    for answer in [
        ResponseTemplate::new(502),
        ResponseTemplate::new(500),
        // No answer within the client's timeout.
        ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/hub/v1/video"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let clock = FakeClock::new();
        let hub = client(&server.uri(), &clock, RetryPolicy::default());
        let error = hub
            .submit_unchecked(crate::Capability::Video.endpoint(), "m", Map::new())
            .await
            .expect_err("unknown outcome");
        assert!(
            matches!(error, Error::SubmitOutcomeUnknown { .. }),
            "{error:?}"
        );
        assert_eq!(received(&server).await, 1, "sent once: {error:?}");
        assert!(clock.sleeps().is_empty());
    }
}

#[tokio::test]
async fn refusals_are_waited_out_apart_from_the_retries_of_failures() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(6)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"taskId": "t-1"})))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    // One retry of failures, yet six refusals in a row are waited out.
    let hub = client(&server.uri(), &clock, RetryPolicy::default().max_retries(1));
    let task = hub
        .submit_unchecked(crate::Capability::Video.endpoint(), "m", Map::new())
        .await
        .expect("taken at last");
    assert_eq!(task.id(), "t-1");
    assert_eq!(clock.sleeps(), [Duration::from_secs(1); 6]);
    assert_eq!(received(&server).await, 7);

    // Past the refusals the policy allows, the caller is told to wait.
    let clock = FakeClock::new();
    let hub = client(
        &server.uri(),
        &clock,
        RetryPolicy::default().refusal_retries(0),
    );
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .mount(&server)
        .await;
    let error = hub
        .submit_unchecked(crate::Capability::Video.endpoint(), "m", Map::new())
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_submit_the_hub_refused_or_never_saw_is_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "4"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"taskId": "t-1"})))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let hub = client(&server.uri(), &clock, RetryPolicy::default());
    let task = hub
        .submit_unchecked(crate::Capability::Video.endpoint(), "m", Map::new())
        .await
        .expect("accepted");
    assert_eq!(task.id(), "t-1");
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(4), Duration::from_secs(2)]
    );
    assert_eq!(received(&server).await, 3);

    // A connection that cannot be opened: nothing was sent, so every retry is made.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let clock = FakeClock::new();
    let hub = client(&url, &clock, RetryPolicy::default().max_retries(2));
    let error = hub
        .submit_unchecked(crate::Capability::Video.endpoint(), "m", Map::new())
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(clock.slept.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn polls_wait_on_the_clients_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/t"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"task_id": "t", "status": "processing", "ready": false})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let hub = client(&server.uri(), &clock, RetryPolicy::default());
    let policy = PollPolicy::fixed(Duration::from_secs(10)).deadline(Duration::from_secs(35));
    let started = std::time::Instant::now();
    let error = hub
        .task_by_id("t")
        .wait_with(policy)
        .await
        .expect_err("never ready");
    assert!(
        matches!(error, Error::DeadlineExceeded { waited, .. } if waited == Duration::from_secs(35)),
        "{error:?}"
    );
    // Polled at once (resumed by id), then every 10 s, the last wait cut by the deadline.
    assert_eq!(
        clock.sleeps(),
        [10, 10, 10, 5].map(Duration::from_secs).to_vec()
    );
    assert_eq!(received(&server).await, 5);
    assert!(started.elapsed() < Duration::from_secs(10));
}
