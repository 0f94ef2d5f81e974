//! One API request, and what can happen to it: whether its failure allows another try,
//! whether the hub refused it for now, whether a submit's outcome is unknown, and the
//! [`Error`] it becomes.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};

use super::body::{ReadError, hub_message, status_error, too_large};
use super::retry::{Retryable, Verdict};
use crate::error::Error;
use crate::redact::Redactor;

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

    pub(crate) fn method(&self) -> &Method {
        &self.method
    }

    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    pub(crate) fn body(&self) -> Option<&'a [u8]> {
        self.body
    }

    /// Whether sending it twice does what sending it once does.
    pub(crate) fn idempotent(&self) -> bool {
        self.idempotent
    }

    /// The words naming this request in errors, e.g. `GET /hub/v1/tasks/x`.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// Why the last try of a request failed. Its `Debug` (logged before each new try) gives the
/// length of an error body, never the body, which is the hub's text as it came.
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

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotSent(e) => f.debug_tuple("NotSent").field(e).finish(),
            Failure::TimedOut(e) => f.debug_tuple("TimedOut").field(e).finish(),
            Failure::Broken(e) => f.debug_tuple("Broken").field(e).finish(),
            Failure::Unreadable { status, error } => f
                .debug_struct("Unreadable")
                .field("status", status)
                .field("error", error)
                .finish(),
            Failure::Redirect(error) => f.debug_tuple("Redirect").field(error).finish(),
            Failure::Status {
                status,
                retry_after,
                body,
            } => f
                .debug_struct("Status")
                .field("status", status)
                .field("retry_after", retry_after)
                .field("body_bytes", &body.len())
                .finish(),
        }
    }
}

impl Retryable for Failure {
    fn verdict(&self, idempotent: bool) -> Verdict {
        if !self.allows_retry(idempotent) {
            return Verdict::Stop;
        }
        let after = self.retry_after();
        if self.is_refusal() {
            Verdict::Refused { after }
        } else {
            Verdict::Retry { after }
        }
    }
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
    pub(crate) fn unknown_outcome(&self, redactor: &Redactor) -> Option<(String, Option<u16>)> {
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
                let (message, _) = hub_message(*status, body, redactor);
                Some((
                    format!("HTTP {}: {message}", status.as_u16()),
                    Some(status.as_u16()),
                ))
            }
            Failure::Status { .. } => None,
        }
    }

    /// The error of a request described by `what` that failed this way, the hub's text in
    /// it without what `redactor` removes.
    pub(crate) fn into_error(self, what: &str, redactor: &Redactor) -> Error {
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
            } => too_large(),
            Failure::Status {
                status,
                retry_after,
                body,
            } => status_error(status, retry_after, &body, redactor),
        }
    }
}
