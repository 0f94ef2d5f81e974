//! The transport: every API request goes through [`Transport::send`], which attaches the
//! key, limits the requests in flight, and tries again through the one [`retry`] loop (the
//! [`RetryPolicy`]'s backoff, or what `Retry-After` asks, on the [`Clock`]). Downloads are
//! plain `GET`s of the same HTTP client, without the key.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, IF_RANGE, RANGE};
use reqwest::{Response, Url};
use serde_json::Value;
use tracing::Instrument;

use super::body::{API_BODY_CAP, ERROR_BODY_CAP, decode_json, read_capped, read_prefix};
use super::key::ApiKey;
use super::request::{Failure, Request};
use super::retry::{RetryPolicy, retry, retry_after};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::redact::Redactor;

/// The span of one API request (its tries included) at `level`: an HTTP client span in
/// OpenTelemetry's names (`http.request.method`, `server.address`, `url.path`), whose
/// `http.response.status_code` each try records. Polls are at debug level, submits at info.
macro_rules! request_span {
    ($level:ident, $method:literal, $url:expr) => {
        tracing::span!(
            tracing::Level::$level,
            "videohub.request",
            otel.name = $method,
            otel.kind = "client",
            http.request.method = $method,
            server.address = $url.host_str().unwrap_or(""),
            url.path = %$url.path(),
            http.response.status_code = tracing::field::Empty,
        )
    };
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

    /// What removes the key from the hub's text before it is shown or stored.
    pub(crate) fn redactor(&self) -> &Redactor {
        self.api_key.redactor()
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
    /// the body of the first successful answer (at most [`API_BODY_CAP`] bytes), as it
    /// came, or the last failure. The status is recorded on the current span.
    async fn send(&self, request: &Request<'_>) -> Result<Vec<u8>, Failure> {
        retry(&self.retry, &*self.clock, request.idempotent(), |_| {
            self.try_once(request)
        })
        .await
        .map_err(|gave_up| gave_up.failure)
    }

    /// `GET` a JSON document, retried on transport errors, timeouts, 429 and 5xx. The
    /// document is the hub's as it came; the hub's text in an error has the key removed.
    pub(crate) async fn get_json(&self, url: Url) -> Result<Value> {
        let span = request_span!(DEBUG, "GET", url);
        async move {
            let request = Request::get(url);
            let redactor = self.redactor();
            match self.send(&request).await {
                Ok(body) => decode_json(&body, redactor),
                Err(failure) => Err(failure.into_error(&request.describe(), redactor)),
            }
            .map_err(|error| redactor.error(error))
        }
        .instrument(span)
        .await
    }

    /// `POST` a submit. Resent only when the hub cannot have accepted it (connection not
    /// opened, 429, 503); every other failure after the request was written is
    /// [`Error::SubmitOutcomeUnknown`]. The answer is the hub's as it came; the hub's text
    /// in an error has the key removed.
    pub(crate) async fn post_submit(&self, url: Url, model: &str, body: &[u8]) -> Result<Vec<u8>> {
        let span = request_span!(INFO, "POST", url);
        async move {
            let request = Request::post_once(url, body);
            let redactor = self.redactor();
            self.send(&request)
                .await
                .map_err(|failure| match failure.unknown_outcome(redactor) {
                    Some((reason, status)) => Error::SubmitOutcomeUnknown {
                        model: model.to_owned(),
                        reason,
                        status,
                    },
                    // Never sent: whatever the cause, a transport error.
                    None => match failure {
                        Failure::NotSent(e) => Error::Transport(e),
                        failure => failure.into_error(&request.describe(), redactor),
                    },
                })
                .map_err(|error| redactor.error(error))
        }
        .instrument(span)
        .await
    }

    /// One try, holding a permit of the in-flight limit until its answer is read.
    async fn try_once(&self, request: &Request<'_>) -> Result<Vec<u8>, Failure> {
        let _permit = self.in_flight.acquire().await.ok();
        let mut builder = self
            .http
            .request(request.method().clone(), request.url().clone())
            // The only place the key is attached.
            .header(AUTHORIZATION, self.api_key.header().clone())
            .header(ACCEPT, "application/json")
            .timeout(self.timeout);
        if let Some(body) = request.body() {
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
        tracing::Span::current().record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_success() {
            return read_capped(response, API_BODY_CAP)
                .await
                .map_err(|error| Failure::Unreadable { status, error });
        }
        let retry_after = retry_after(response.headers(), &*self.clock);
        let body = read_prefix(response, ERROR_BODY_CAP).await;
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
