//! The one error type of the client, and the hub's error codes.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::schema::ValidationErrors;

/// The result type of every fallible client operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between a request and a saved file.
///
/// No variant carries the API key: the hub's text in it (messages, excerpts, the URLs of
/// its answers) has the client's key and every `Bearer …` token replaced by `[redacted]`
/// (a key of fewer than 8 characters, which cannot be told from ordinary words, is left to
/// that `Bearer` form alone); the transport's errors name the URL, never the headers.
///
/// What a program usually tells apart: a request refused before it was sent, a task the hub
/// could not make, a submit whose outcome is unknown (never resend it blindly: it may be
/// billed), and failures worth trying again.
///
/// ```
/// use videohub_core::Error;
///
/// fn advice(error: &Error) -> &'static str {
///     match error {
///         Error::InvalidRequest(_) => "fix the request: nothing was sent",
///         Error::TaskFailed { .. } | Error::TaskTimedOut { .. } => "the hub could not make it",
///         Error::SubmitOutcomeUnknown { .. } => "a task may exist: check before sending again",
///         error if error.is_transient() => "try again later",
///         _ => "see the message",
///     }
/// }
///
/// let missing_key = videohub_core::Client::builder().build().unwrap_err();
/// assert!(matches!(missing_key, Error::MissingApiKey));
/// assert_eq!(advice(&missing_key), "see the message");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be configured (a bad base URL, plain `http://` to a remote host,
    /// an unusable key).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },

    /// No API key was given and `MOUNTSEA_API_KEY` is not set.
    #[error(
        "no API key: set the MOUNTSEA_API_KEY environment variable (e.g. `export MOUNTSEA_API_KEY=<your key>`) \
         or pass one with `Client::builder().api_key(..)`"
    )]
    MissingApiKey,

    /// The request failed local validation; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] ValidationErrors),

    /// The request could not be written as JSON (a hand-written `Serialize` failed); nothing
    /// was sent.
    #[error("the request could not be written as JSON: {message}")]
    Encode {
        /// What the serializer said.
        message: String,
    },

    /// The hub rejected the request as malformed (HTTP 400 or 422); it created no task.
    #[error("the hub rejected the request (HTTP {status}): {message}")]
    BadRequest {
        /// The HTTP status, 400 or 422.
        status: u16,
        /// The hub's message.
        message: String,
        /// The hub's error code, when it gave one.
        code: Option<String>,
    },

    /// The API key is missing, wrong or not allowed to do this (HTTP 401 or 403).
    #[error("the hub refused the API key (HTTP {status}): {message}")]
    Auth {
        /// The HTTP status, 401 or 403.
        status: u16,
        /// The hub's message.
        message: String,
    },

    /// The account has not enough credits (HTTP 402).
    #[error("not enough credits (HTTP 402): {message}")]
    InsufficientCredits {
        /// The hub's message.
        message: String,
    },

    /// The task or model does not exist (HTTP 404).
    #[error("not found (HTTP 404): {message}")]
    NotFound {
        /// The hub's message.
        message: String,
    },

    /// Too many requests (HTTP 429), after the retries the policy allows.
    #[error("rate limited by the hub (HTTP 429){}: {message}", retry_after_text(*.retry_after))]
    RateLimited {
        /// How long the hub asked to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
        /// The hub's message.
        message: String,
    },

    /// The hub failed (HTTP 5xx), after the retries the policy allows.
    #[error("the hub failed (HTTP {status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The hub's message.
        message: String,
    },

    /// Any other unexpected HTTP status.
    #[error("unexpected HTTP {status} from the hub: {message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The hub's message.
        message: String,
    },

    /// The connection failed (DNS, connect, TLS, a dropped connection), after retries.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// A request took longer than the configured timeout, after retries.
    #[error("timed out: {what}")]
    Timeout {
        /// What timed out.
        what: String,
    },

    /// A response could not be understood.
    #[error("could not decode the hub's response: {message}; body starts with: {excerpt:?}")]
    Decode {
        /// What was wrong with it.
        message: String,
        /// The beginning of the body (bounded).
        excerpt: String,
    },

    /// The submit may or may not have created a task on the hub: the request was written but
    /// no usable answer came back (the connection dropped, the answer timed out, a 500, 502
    /// or 504, or an unreadable success body).
    ///
    /// It was **not** resent, because a second submit is a second billed task. Look for the
    /// task on the hub before submitting again.
    #[error(
        "the submit to `{model}` may or may not have created a task ({reason}); it was not resent: \
         check the hub before submitting again, a second submit is billed as a second task"
    )]
    SubmitOutcomeUnknown {
        /// The model id of the submit.
        model: String,
        /// What happened.
        reason: String,
        /// The HTTP status, when one came back.
        status: Option<u16>,
    },

    /// The task ended in `failed` on the hub.
    #[error("task {task_id} failed{}: {}", code_text(code), message.as_deref().unwrap_or("no message"))]
    TaskFailed {
        /// The task id.
        task_id: String,
        /// The hub's `error_code`, a number or a string.
        code: Option<ErrorCode>,
        /// The hub's `error_message`.
        message: Option<String>,
    },

    /// The task ended in `timeout` on the hub.
    #[error("task {task_id} timed out on the hub: {}", message.as_deref().unwrap_or("no message"))]
    TaskTimedOut {
        /// The task id.
        task_id: String,
        /// The hub's `error_message`.
        message: Option<String>,
    },

    /// The task ended in `cancelled` on the hub.
    #[error("task {task_id} was cancelled on the hub")]
    TaskCancelled {
        /// The task id.
        task_id: String,
    },

    /// The task was still running when the poll policy's deadline passed. It may still
    /// finish: resume it later with `Client::task_by_id`.
    #[error(
        "task {task_id} was not ready after {waited:?} (last status `{last_status}`); \
         it may still finish: resume it by id"
    )]
    DeadlineExceeded {
        /// The task id.
        task_id: String,
        /// How long the client waited.
        waited: Duration,
        /// The last status seen.
        last_status: String,
    },

    /// A task finished, but its output holds no file URL (video, image or audio) in any
    /// known shape.
    /// The hub's answer is kept whole: [`Output::raw`](crate::Output::raw) from a task's
    /// output, [`TaskState::raw`](crate::TaskState) from its status.
    #[error("task {task_id} finished without a file URL in its output")]
    NoOutputFile {
        /// The task id.
        task_id: String,
    },

    /// The download host answered with an error status.
    #[error("download failed with HTTP {status}")]
    DownloadStatus {
        /// The HTTP status.
        status: u16,
    },

    /// The download ended with a different size than announced; nothing was saved.
    #[error("download incomplete: expected {expected} bytes, received {received}")]
    DownloadIncomplete {
        /// The announced size.
        expected: u64,
        /// The bytes received.
        received: u64,
    },

    /// The file host answered a resumed download inconsistently: a `206 Partial Content`
    /// without a usable `Content-Range`, a part that does not start where the download
    /// stopped, a total size other than the announced one, or a `416` to a range inside the
    /// file. The download restarts from zero when it has tries left; this is the cause of
    /// [`Error::DownloadInterrupted`] when it has none.
    #[error("the download host answered a range request inconsistently: {reason}")]
    DownloadInconsistent {
        /// What was inconsistent.
        reason: String,
    },

    /// The download failed on every try the client allows
    /// ([`ClientBuilder::download_retries`](crate::ClientBuilder::download_retries));
    /// nothing was saved and the temporary file was removed.
    #[error(
        "download failed after {attempts} attempt(s), {received} bytes received; nothing was saved: {source}"
    )]
    DownloadInterrupted {
        /// How many requests were made.
        attempts: u32,
        /// The bytes held when the last try failed (discarded).
        received: u64,
        /// Why the last try failed: [`Error::Transport`], [`Error::Timeout`],
        /// [`Error::DownloadStatus`] (408, 429 or 5xx), [`Error::DownloadIncomplete`] or
        /// [`Error::DownloadInconsistent`].
        #[source]
        source: Box<Error>,
    },

    /// A URL the client was to request breaks its rules: not `https://` (or `http://` to a
    /// loopback host, unless insecure HTTP is allowed), a link-local or cloud metadata
    /// address, or a redirect hop that breaks them (or one hop too many, or a step down from
    /// `https://` to `http://`). Nothing was requested there; nothing was saved.
    #[error("refusing `{url}`: {reason}")]
    UrlRefused {
        /// The URL refused (a file URL, or the hop a redirect led to).
        url: String,
        /// Which rule it breaks.
        reason: String,
    },

    /// The file host answered with an empty file; nothing was saved.
    #[error("the file at `{url}` is empty; nothing was saved")]
    DownloadEmpty {
        /// The file URL.
        url: String,
    },

    /// The file is larger than the client's limit
    /// ([`ClientBuilder::max_download_size`](crate::ClientBuilder::max_download_size)),
    /// as announced or as received; nothing was saved.
    #[error("the file at `{url}` is larger than the limit of {limit} bytes; nothing was saved")]
    DownloadTooLarge {
        /// The file URL.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },

    /// The file's first bytes are not those of a file of the kind the task yields (an HTML
    /// error page, JSON, text, an image where a video was due); nothing was saved.
    #[error(
        "the file at `{url}` is not {} {media} file: it starts with {found}; nothing was saved",
        article(*media)
    )]
    NotMedia {
        /// The file URL.
        url: String,
        /// The kind of file expected.
        media: crate::Media,
        /// What the first bytes look like (a format's name, or the bytes themselves).
        found: String,
    },

    /// A destination that cannot be saved to, told before anything is requested: a URL of
    /// a scheme no store serves, an object URL without a bucket or with a key that climbs
    /// (`..`), a prefix where an object is due, or an object URL where the crate was built
    /// without the `object-store` feature.
    #[error("cannot save to `{destination}`: {reason}")]
    BadDestination {
        /// The destination as given.
        destination: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The object store refused or failed an operation, after its own retries: a missing
    /// bucket, denied access, a bad credential, a store that cannot be reached. Nothing was
    /// saved. The message names no credential.
    #[error("{action} {url}: {message}")]
    Storage {
        /// What was being done (`cannot upload to`, `cannot read`, …).
        action: &'static str,
        /// The object (or bucket) URL.
        url: String,
        /// What the store said, without credentials.
        message: String,
        /// Whether the store named the cause as a missing bucket or object, a denied access
        /// or a bad credential (which another try will not mend).
        refused: bool,
    },

    /// A local file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether retrying the same operation later might succeed (rate limits, server and
    /// transport errors, timeouts, downloads that failed on every try). Never true for
    /// [`Error::SubmitOutcomeUnknown`].
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Server { .. }
                | Error::Transport(_)
                | Error::Timeout { .. }
                | Error::DownloadInterrupted { .. }
        )
    }

    /// The HTTP status the hub answered with, when the error comes from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::BadRequest { status, .. }
            | Error::Auth { status, .. }
            | Error::Server { status, .. }
            | Error::Http { status, .. }
            | Error::DownloadStatus { status } => Some(*status),
            Error::InsufficientCredits { .. } => Some(402),
            Error::NotFound { .. } => Some(404),
            Error::RateLimited { .. } => Some(429),
            Error::SubmitOutcomeUnknown { status, .. } => *status,
            Error::DownloadInterrupted { source, .. } => source.status(),
            _ => None,
        }
    }
}

impl Error {
    /// The same error with `f` applied to every text in it that may come from the hub or a
    /// file host (messages, codes, excerpts, reasons, statuses, URLs, first bytes); ids,
    /// model names, local paths and the transport's own error are kept.
    pub(crate) fn map_text(self, f: &dyn Fn(String) -> String) -> Error {
        match self {
            Error::Config { message } => Error::Config {
                message: f(message),
            },
            Error::BadRequest {
                status,
                message,
                code,
            } => Error::BadRequest {
                status,
                message: f(message),
                code: code.map(f),
            },
            Error::Auth { status, message } => Error::Auth {
                status,
                message: f(message),
            },
            Error::InsufficientCredits { message } => Error::InsufficientCredits {
                message: f(message),
            },
            Error::NotFound { message } => Error::NotFound {
                message: f(message),
            },
            Error::RateLimited {
                retry_after,
                message,
            } => Error::RateLimited {
                retry_after,
                message: f(message),
            },
            Error::Server { status, message } => Error::Server {
                status,
                message: f(message),
            },
            Error::Http { status, message } => Error::Http {
                status,
                message: f(message),
            },
            Error::Timeout { what } => Error::Timeout { what: f(what) },
            Error::Decode { message, excerpt } => Error::Decode {
                message: f(message),
                excerpt: f(excerpt),
            },
            Error::SubmitOutcomeUnknown {
                model,
                reason,
                status,
            } => Error::SubmitOutcomeUnknown {
                model,
                reason: f(reason),
                status,
            },
            Error::TaskFailed {
                task_id,
                code,
                message,
            } => Error::TaskFailed {
                task_id,
                code: code.map(|code| match code {
                    ErrorCode::Text(text) => ErrorCode::Text(f(text)),
                    number => number,
                }),
                message: message.map(f),
            },
            Error::TaskTimedOut { task_id, message } => Error::TaskTimedOut {
                task_id,
                message: message.map(f),
            },
            Error::DeadlineExceeded {
                task_id,
                waited,
                last_status,
            } => Error::DeadlineExceeded {
                task_id,
                waited,
                last_status: f(last_status),
            },
            Error::DownloadInconsistent { reason } => {
                Error::DownloadInconsistent { reason: f(reason) }
            }
            Error::DownloadInterrupted {
                attempts,
                received,
                source,
            } => Error::DownloadInterrupted {
                attempts,
                received,
                source: Box::new(source.map_text(f)),
            },
            Error::UrlRefused { url, reason } => Error::UrlRefused {
                url: f(url),
                reason: f(reason),
            },
            Error::DownloadEmpty { url } => Error::DownloadEmpty { url: f(url) },
            Error::DownloadTooLarge { url, limit } => {
                Error::DownloadTooLarge { url: f(url), limit }
            }
            Error::NotMedia { url, media, found } => Error::NotMedia {
                url: f(url),
                media,
                found: f(found),
            },
            kept @ (Error::MissingApiKey
            | Error::InvalidRequest(_)
            | Error::Encode { .. }
            | Error::Transport(_)
            | Error::TaskCancelled { .. }
            | Error::NoOutputFile { .. }
            | Error::DownloadStatus { .. }
            | Error::DownloadIncomplete { .. }
            | Error::BadDestination { .. }
            | Error::Storage { .. }
            | Error::Io { .. }) => kept,
        }
    }
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {}s", d.as_secs_f64()),
        None => String::new(),
    }
}

/// `a` or `an`, before the name of a kind of file.
fn article(media: crate::Media) -> &'static str {
    match media {
        crate::Media::Image | crate::Media::Audio => "an",
        crate::Media::Video => "a",
    }
}

fn code_text(code: &Option<ErrorCode>) -> String {
    match code {
        Some(code) => format!(" (code {code})"),
        None => String::new(),
    }
}

/// A task's `error_code`: the hub does not document its type, so both forms are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorCode {
    /// A numeric code, e.g. `500`.
    Number(serde_json::Number),
    /// A textual code, e.g. `"CONTENT_POLICY"`.
    Text(String),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Number(n) => n.fmt(f),
            ErrorCode::Text(s) => f.write_str(s),
        }
    }
}
