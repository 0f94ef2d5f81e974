//! Sending requests to the hub: the auth header, retries, capped bodies and the mapping of
//! HTTP answers to [`Error`]s.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, IF_RANGE, RANGE};
use reqwest::{Method, Response, StatusCode, Url};
use serde_json::Value;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::retry_after;

/// The largest successful API body read (model catalogs with schemas included).
pub(crate) const API_BODY_CAP: usize = 8 * 1024 * 1024;
/// The part of an error body that is read.
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;
/// The longest body excerpt put into an error.
pub(crate) const EXCERPT_CHARS: usize = 512;

/// Why a body could not be read whole.
pub(crate) enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

/// Reads a body, failing once it passes `cap` bytes.
pub(crate) async fn read_capped(mut response: Response, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `cap` bytes of a body and drops the rest; errors end the read quietly.
async fn read_prefix(mut response: Response, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    body
}

/// The beginning of a body, as text, bounded.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// The hub's message and code from an error body: JSON (`error`, `message`, `detail`,
/// `code`, possibly nested under `error`) or plain text.
pub(crate) fn hub_message(status: StatusCode, body: &[u8]) -> (String, Option<String>) {
    let fallback = || status.canonical_reason().unwrap_or("no message").to_owned();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        let mut message = None;
        let mut code = map.get("code").and_then(text_of);
        for key in ["message", "error", "detail", "error_message", "msg"] {
            match map.get(key) {
                Some(Value::Object(inner)) => {
                    message = message.or_else(|| {
                        ["message", "detail", "error"]
                            .iter()
                            .find_map(|k| inner.get(*k).and_then(text_of))
                    });
                    code = code.or_else(|| inner.get("code").and_then(text_of));
                }
                Some(value) => message = message.or_else(|| text_of(value)),
                None => {}
            }
        }
        return (message.unwrap_or_else(|| excerpt(body)), code);
    }
    let text = excerpt(body);
    let text = text.trim();
    (
        if text.is_empty() {
            fallback()
        } else {
            text.to_owned()
        },
        None,
    )
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => {
            Some(value.to_string().chars().take(EXCERPT_CHARS).collect())
        }
        _ => None,
    }
}

/// The error for a non-success answer.
pub(crate) fn status_error(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    let (message, code) = hub_message(status, body);
    let code_num = status.as_u16();
    match code_num {
        400 | 422 => Error::BadRequest {
            status: code_num,
            message,
            code,
        },
        401 | 403 => Error::Auth {
            status: code_num,
            message,
        },
        402 => Error::InsufficientCredits { message },
        404 => Error::NotFound { message },
        429 => Error::RateLimited {
            retry_after,
            message,
        },
        500..=599 => Error::Server {
            status: code_num,
            message,
        },
        _ => Error::Http {
            status: code_num,
            message,
        },
    }
}

fn transport_error(error: reqwest::Error, what: &str) -> Error {
    if error.is_timeout() {
        Error::Timeout {
            what: what.to_owned(),
        }
    } else {
        Error::Transport(error)
    }
}

/// A successful answer of a submit.
pub(crate) struct Accepted(pub(crate) Vec<u8>);

impl Client {
    /// `{base}/{segments…}`, each segment percent-encoded.
    pub(crate) fn endpoint(&self, path: &str, segments: &[&str]) -> Url {
        let mut url = self.inner.base_url.clone();
        {
            // A base URL with a host always has path segments.
            let mut parts = url.path_segments_mut().expect("base URL checked at build");
            parts.pop_if_empty();
            parts.extend(path.split('/').filter(|s| !s.is_empty()));
            parts.extend(segments);
        }
        url
    }

    /// A request to the hub, carrying the key. The only place the key is attached.
    fn api_request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.inner
            .http
            .request(method, url)
            .header(AUTHORIZATION, self.inner.api_key.header().clone())
            .header(ACCEPT, "application/json")
            .timeout(self.inner.timeout)
    }

    /// `GET` a JSON document, retrying transport errors, timeouts, 429 and 5xx.
    pub(crate) async fn get_json(&self, url: Url) -> Result<Value> {
        let span = tracing::debug_span!("videohub.request", method = "GET", path = %url.path(), status = tracing::field::Empty);
        async move {
            let what = format!("GET {}", url.path());
            let mut retry = 0;
            loop {
                let permit = self.inner.requests.acquire().await.ok();
                let (error, wait) = match self.api_request(Method::GET, url.clone()).send().await {
                    Ok(response) => {
                        let status = response.status();
                        tracing::Span::current().record("status", status.as_u16());
                        if status.is_success() {
                            match read_capped(response, API_BODY_CAP).await {
                                Ok(body) => return decode_json(&body),
                                Err(ReadError::TooLarge) => return Err(too_large()),
                                Err(ReadError::Transport(e)) => (transport_error(e, &what), None),
                            }
                        } else {
                            let wait = retry_after(response.headers());
                            let body = read_prefix(response, ERROR_BODY_CAP).await;
                            let error = status_error(status, wait, &body);
                            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                                (error, wait)
                            } else {
                                return Err(error);
                            }
                        }
                    }
                    Err(e) => (transport_error(e, &what), None),
                };
                drop(permit);
                match self.inner.retry.delay(retry, wait) {
                    Some(delay) => {
                        tracing::debug!(retry = retry + 1, delay_ms = delay.as_millis() as u64, error = %error, "retrying request");
                        tokio::time::sleep(delay).await;
                        retry += 1;
                    }
                    None => return Err(error),
                }
            }
        }
        .instrument(span)
        .await
    }

    /// `POST` a submit. Resent only when the hub cannot have accepted it (connection not
    /// opened, 429, 503); every other failure after the request was written is
    /// [`Error::SubmitOutcomeUnknown`].
    pub(crate) async fn post_submit(&self, url: Url, model: &str, body: &[u8]) -> Result<Accepted> {
        let span = tracing::info_span!("videohub.request", method = "POST", path = %url.path(), model, status = tracing::field::Empty);
        async move {
            let unknown = |reason: String, status: Option<u16>| Error::SubmitOutcomeUnknown {
                model: model.to_owned(),
                reason,
                status,
            };
            let mut retry = 0;
            loop {
                let permit = self.inner.requests.acquire().await.ok();
                let (error, wait) = match self
                    .api_request(Method::POST, url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_vec())
                    .send()
                    .await {
                    // Nothing was sent: the connection (or TLS) could not be established.
                    Err(e) if e.is_connect() => (Error::Transport(e), None),
                    Err(e) if e.is_timeout() => {
                        return Err(unknown("no answer within the request timeout".into(), None));
                    }
                    Err(e) => return Err(unknown(format!("the connection failed after the request was sent: {e}"), None)),
                    Ok(response) => {
                        let status = response.status();
                        tracing::Span::current().record("status", status.as_u16());
                        if status.is_success() {
                            return match read_capped(response, API_BODY_CAP).await {
                                Ok(body) => Ok(Accepted(body)),
                                Err(ReadError::TooLarge) => {
                                    Err(unknown("the answer was too large to read".into(), Some(status.as_u16())))
                                }
                                Err(ReadError::Transport(e)) => Err(unknown(
                                    format!("the answer could not be read: {e}"),
                                    Some(status.as_u16()),
                                )),
                            };
                        }
                        let wait = retry_after(response.headers());
                        let body = read_prefix(response, ERROR_BODY_CAP).await;
                        match status.as_u16() {
                            // The hub said it did not take the request.
                            429 | 503 => (status_error(status, wait, &body), wait),
                            // A gateway error or a crash may come after the task was created.
                            500..=599 => {
                                let (message, _) = hub_message(status, &body);
                                return Err(unknown(format!("HTTP {}: {message}", status.as_u16()), Some(status.as_u16())));
                            }
                            _ => return Err(status_error(status, wait, &body)),
                        }
                    }
                };
                drop(permit);
                match self.inner.retry.delay(retry, wait) {
                    Some(delay) => {
                        tracing::debug!(retry = retry + 1, delay_ms = delay.as_millis() as u64, error = %error, "retrying submit that the hub did not accept");
                        tokio::time::sleep(delay).await;
                        retry += 1;
                    }
                    None => return Err(error),
                }
            }
        }
        .instrument(span)
        .await
    }

    /// A plain `GET` of a download URL: no `Authorization`, no API timeout. Never goes
    /// through [`Client::api_request`]. With `range`, asks for the bytes from `from` on
    /// (`Range: bytes=from-`), only if the file is still the one `validator` (an `ETag` or
    /// `Last-Modified` of an earlier answer) names (`If-Range`). The status is the caller's
    /// to judge.
    pub(crate) async fn download_get(
        &self,
        url: Url,
        range: Option<(u64, Option<&HeaderValue>)>,
    ) -> Result<Response> {
        let mut request = self.inner.http.get(url);
        if let Some((from, validator)) = range {
            request = request.header(RANGE, format!("bytes={from}-"));
            if let Some(validator) = validator {
                request = request.header(IF_RANGE, validator.clone());
            }
        }
        request
            .send()
            .await
            .map_err(|e| Error::Transport(e.without_url()))
    }
}

pub(crate) fn decode_json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        message: e.to_string(),
        excerpt: excerpt(body),
    })
}

fn too_large() -> Error {
    Error::Decode {
        message: format!("the body is larger than {API_BODY_CAP} bytes"),
        excerpt: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_from_json_and_text() {
        let s = StatusCode::BAD_REQUEST;
        assert_eq!(
            hub_message(s, br#"{"error":"bad prompt","code":"E1"}"#),
            ("bad prompt".into(), Some("E1".into()))
        );
        assert_eq!(hub_message(s, br#"{"detail":"nope"}"#).0, "nope");
        assert_eq!(
            hub_message(s, br#"{"error":{"message":"deep","code":7}}"#),
            ("deep".into(), Some("7".into()))
        );
        assert_eq!(hub_message(s, b"plain words\n").0, "plain words");
        assert_eq!(hub_message(s, b"").0, "Bad Request");
        let long = vec![b'x'; 10_000];
        assert!(hub_message(s, &long).0.chars().count() <= EXCERPT_CHARS + 1);
    }
}
