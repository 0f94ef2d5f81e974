//! The transport under the client: every API request goes through [`Transport::send`], one
//! loop that attaches the key, limits the requests in flight, and decides, from the
//! request's idempotency and what happened to it, whether to send it again and after how
//! long (the [`RetryPolicy`]'s backoff, or what `Retry-After` asks). Its waits run on a
//! [`Clock`], tokio's unless one is injected.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, IF_RANGE, RANGE};
use reqwest::{Method, Response, StatusCode, Url};
use tokio::time::Instant;

use crate::config::ApiKey;
use crate::error::{Error, Result};
use crate::http::{API_BODY_CAP, ERROR_BODY_CAP, ReadError, read_capped, read_prefix};
use crate::retry::{RetryPolicy, retry_after};

/// The time retries and polls wait on.
pub(crate) trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Tokio's clock: real time (or tokio's paused time in tests that pause it).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// One API request.
pub(crate) struct Request<'a> {
    method: Method,
    url: Url,
    body: Option<&'a [u8]>,
    /// Whether sending it twice does what sending it once does.
    idempotent: bool,
}

impl<'a> Request<'a> {
    /// A `GET`: idempotent, sent again on any transient failure.
    pub(crate) fn get(url: Url) -> Self {
        Request {
            method: Method::GET,
            url,
            body: None,
            idempotent: true,
        }
    }

    /// A `POST` of a JSON body that must not be acted on twice: sent again only when the
    /// hub cannot have received it (the connection could not be opened) or said it did
    /// not take it (429, 503).
    pub(crate) fn post_once(url: Url, body: &'a [u8]) -> Self {
        Request {
            method: Method::POST,
            url,
            body: Some(body),
            idempotent: false,
        }
    }

    /// The words naming this request in errors, e.g. `GET /hub/v1/tasks/x`.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// Why the last try of a request failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection could not be opened: the hub has not seen the request.
    NotSent(reqwest::Error),
    /// The request was sent and no answer came within the timeout.
    TimedOut(reqwest::Error),
    /// The connection failed after the request was sent.
    Broken(reqwest::Error),
    /// The hub answered `status`, a success, whose body could not be read.
    Unreadable {
        status: StatusCode,
        error: ReadError,
    },
    /// The hub answered with a redirect the URL rules refuse ([`Error::UrlRefused`]).
    Redirect(Error),
    /// The hub answered `status`, not a success.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: Vec<u8>,
    },
}

impl Failure {
    /// Whether the request may be sent again after this failure.
    fn allows_retry(&self, idempotent: bool) -> bool {
        match self {
            Failure::NotSent(_) => true,
            // The hub said it did not take the request.
            Failure::Status { status, .. }
                if *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::SERVICE_UNAVAILABLE =>
            {
                true
            }
            // A gateway error or a crash may come after the request was acted on.
            Failure::Status { status, .. } => idempotent && status.is_server_error(),
            Failure::TimedOut(_) | Failure::Broken(_) => idempotent,
            Failure::Redirect(_) => false,
            Failure::Unreadable { error, .. } => {
                idempotent && matches!(error, ReadError::Transport(_))
            }
        }
    }

    /// Whether the hub refused the request for now and said so (429, or 503 with
    /// `Retry-After`): it did not take it.
    fn is_refusal(&self) -> bool {
        match self {
            Failure::Status {
                status,
                retry_after,
                ..
            } => {
                *status == StatusCode::TOO_MANY_REQUESTS
                    || (*status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some())
            }
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the hub may have done: `None` when it certainly did not act on the request
    /// (not sent, refused with 429 or 503, or answered 4xx), else why the outcome is
    /// unknown and the status of the answer, if one came.
    pub(crate) fn unknown_outcome(&self) -> Option<(String, Option<u16>)> {
        match self {
            Failure::NotSent(_) => None,
            Failure::TimedOut(_) => Some(("no answer within the request timeout".into(), None)),
            Failure::Broken(e) => Some((
                format!("the connection failed after the request was sent: {e}"),
                None,
            )),
            Failure::Unreadable {
                status,
                error: ReadError::TooLarge,
            } => Some((
                "the answer was too large to read".into(),
                Some(status.as_u16()),
            )),
            Failure::Unreadable {
                status,
                error: ReadError::Transport(e),
            } => Some((
                format!("the answer could not be read: {e}"),
                Some(status.as_u16()),
            )),
            Failure::Redirect(error) => Some((
                format!("the hub answered with a redirect that was not followed: {error}"),
                None,
            )),
            Failure::Status { status, body, .. }
                if status.is_server_error() && *status != StatusCode::SERVICE_UNAVAILABLE =>
            {
                let (message, _) = crate::http::hub_message(*status, body);
                Some((
                    format!("HTTP {}: {message}", status.as_u16()),
                    Some(status.as_u16()),
                ))
            }
            Failure::Status { .. } => None,
        }
    }

    /// The error of a request described by `what` that failed this way.
    pub(crate) fn into_error(self, what: &str) -> Error {
        let transport = |error: reqwest::Error| {
            if error.is_timeout() {
                Error::Timeout {
                    what: what.to_owned(),
                }
            } else {
                Error::Transport(error)
            }
        };
        match self {
            Failure::NotSent(e) | Failure::TimedOut(e) | Failure::Broken(e) => transport(e),
            Failure::Redirect(error) => error,
            Failure::Unreadable {
                error: ReadError::Transport(e),
                ..
            } => transport(e),
            Failure::Unreadable {
                error: ReadError::TooLarge,
                ..
            } => crate::http::too_large(),
            Failure::Status {
                status,
                retry_after,
                body,
            } => crate::http::status_error(status, retry_after, &body),
        }
    }
}

/// Sends the client's API requests: the HTTP client, the hub's address and key, the
/// timeout, the retry policy, the limit of requests in flight and the clock.
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: Url,
    api_key: ApiKey,
    timeout: Duration,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    /// Permits for API requests in flight (one per try).
    in_flight: tokio::sync::Semaphore,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .finish()
    }
}

/// What a [`Transport`] is made of.
pub(crate) struct TransportConfig {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) api_key: ApiKey,
    pub(crate) timeout: Duration,
    pub(crate) allow_insecure_http: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_in_flight: usize,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Transport {
    pub(crate) fn new(config: TransportConfig) -> Self {
        Transport {
            http: config.http,
            base_url: config.base_url,
            api_key: config.api_key,
            timeout: config.timeout,
            allow_insecure_http: config.allow_insecure_http,
            retry: config.retry,
            in_flight: tokio::sync::Semaphore::new(config.max_in_flight),
            clock: config.clock,
        }
    }

    pub(crate) fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub(crate) fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// `{base}/{path}/{segments…}`, each segment percent-encoded.
    pub(crate) fn endpoint(&self, path: &str, segments: &[&str]) -> Url {
        let mut url = self.base_url.clone();
        {
            // A base URL with a host always has path segments.
            let mut parts = url.path_segments_mut().expect("base URL checked at build");
            parts.pop_if_empty();
            parts.extend(path.split('/').filter(|s| !s.is_empty()));
            parts.extend(segments);
        }
        url
    }

    /// Sends `request`, again while its failures allow and retries are left, and returns
    /// the body of the first successful answer (at most [`API_BODY_CAP`] bytes) or the
    /// last failure. The status is recorded on the current span.
    pub(crate) async fn send(&self, request: &Request<'_>) -> Result<Vec<u8>, Failure> {
        let (mut retry, mut refusals) = (0, 0);
        loop {
            let failure = match self.try_once(request).await {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            if !failure.allows_retry(request.idempotent) {
                return Err(failure);
            }
            // The hub did not take the request, only cannot now: counted apart.
            let delay = if failure.is_refusal() {
                refusals += 1;
                self.retry
                    .refusal_delay(refusals - 1, failure.retry_after())
            } else {
                self.retry.delay(retry, failure.retry_after())
            };
            let Some(delay) = delay else {
                return Err(failure);
            };
            tracing::debug!(
                retry = retry + 1,
                delay_ms = delay.as_millis() as u64,
                idempotent = request.idempotent,
                failure = ?failure,
                "retrying request"
            );
            self.clock.sleep(delay).await;
            if !failure.is_refusal() {
                retry += 1;
            }
        }
    }

    /// One try, holding a permit of the in-flight limit until its answer is read.
    async fn try_once(&self, request: &Request<'_>) -> Result<Vec<u8>, Failure> {
        let _permit = self.in_flight.acquire().await.ok();
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone())
            // The only place the key is attached.
            .header(AUTHORIZATION, self.api_key.header().clone())
            .header(ACCEPT, "application/json")
            .timeout(self.timeout);
        if let Some(body) = request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) if e.is_redirect() => {
                let error =
                    crate::url_rules::refused_redirect(&e).unwrap_or_else(|| Error::Transport(e));
                return Err(Failure::Redirect(error));
            }
            // Nothing was sent: the connection (or TLS) could not be established.
            Err(e) if e.is_connect() => return Err(Failure::NotSent(e)),
            Err(e) if e.is_timeout() => return Err(Failure::TimedOut(e)),
            Err(e) => return Err(Failure::Broken(e)),
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        if status.is_success() {
            return read_capped(response, API_BODY_CAP)
                .await
                .map(|body| self.api_key.redact(body))
                .map_err(|error| Failure::Unreadable { status, error });
        }
        let retry_after = retry_after(response.headers());
        let body = self
            .api_key
            .redact(read_prefix(response, ERROR_BODY_CAP).await);
        Err(Failure::Status {
            status,
            retry_after,
            body,
        })
    }

    /// A plain `GET` of a download URL: no `Authorization`, no API timeout, no in-flight
    /// permit. With `range`, asks for the bytes from `from` on (`Range: bytes=from-`),
    /// only if the file is still the one `validator` (an `ETag` or `Last-Modified` of an
    /// earlier answer) names (`If-Range`). The status is the caller's to judge.
    pub(crate) async fn download_get(
        &self,
        url: Url,
        range: Option<(u64, Option<&HeaderValue>)>,
    ) -> Result<Response> {
        let mut request = self.http.get(url);
        if let Some((from, validator)) = range {
            request = request.header(RANGE, format!("bytes={from}-"));
            if let Some(validator) = validator {
                request = request.header(IF_RANGE, validator.clone());
            }
        }
        request.send().await.map_err(|e| {
            crate::url_rules::refused_redirect(&e)
                .unwrap_or_else(|| Error::Transport(e.without_url()))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::{Map, json};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::client::Client;
    use crate::poll::PollPolicy;

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
        let url = hub.endpoint("/hub/v1/models", &[]);
        let value = hub.get_json(url).await.expect("the third try succeeds");
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
        let error = hub
            .get_json(hub.endpoint("/hub/v1/models", &[]))
            .await
            .expect_err("always 500");
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
        let error = hub
            .get_json(hub.endpoint("/hub/v1/models", &[]))
            .await
            .expect_err("429");
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
                .submit_input(crate::Capability::Video, "m", Map::new())
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
            .submit_input(crate::Capability::Video, "m", Map::new())
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
            .submit_input(crate::Capability::Video, "m", Map::new())
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
            .submit_input(crate::Capability::Video, "m", Map::new())
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
            .submit_input(crate::Capability::Video, "m", Map::new())
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
}
