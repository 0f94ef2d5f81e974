//! What the tries of one download share: where the bytes go (a part file, or an upload)
//! and what is known of the file so far, why a try failed, and the restart from zero.

use std::path::Path;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::sink::Sink;

use crate::error::Error;
use crate::wire::{Retryable, Verdict};

/// What a download knows between its tries.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// The bytes in the temporary file.
    pub(super) received: u64,
    /// The size of the whole file, when announced.
    pub(super) expected: Option<u64>,
    /// The `ETag` (strong) or `Last-Modified` of the last whole answer, for `If-Range`.
    pub(super) validator: Option<HeaderValue>,
    /// Whether the host announced `Accept-Ranges: bytes` and has answered ranges
    /// consistently.
    pub(super) ranges: bool,
    /// The file's first bytes (up to [`SIGNATURE_LEN`](crate::vocab::SIGNATURE_LEN)), to tell its format.
    pub(super) head: Vec<u8>,
}

/// What the tries of a download work on, one after the other.
pub(super) struct Transfer<'a, S> {
    /// Where the bytes go.
    pub(super) sink: S,
    pub(super) progress: Progress,
    /// Told the validator of a whole answer.
    pub(super) on_validator: Option<&'a mut (dyn FnMut(&str) + Send)>,
}

/// Why a try ended without the whole file.
#[derive(Debug)]
pub(super) enum Failure {
    /// Another try may succeed, after `wait` when the host said how long.
    Retry {
        error: Error,
        wait: Option<Duration>,
    },
    /// No other try will.
    Fatal(Error),
}

impl Retryable for Failure {
    fn verdict(&self, _idempotent: bool) -> Verdict {
        match self {
            Failure::Retry { wait, .. } => Verdict::Retry { after: *wait },
            Failure::Fatal(_) => Verdict::Stop,
        }
    }
}

pub(super) fn inconsistent(reason: String) -> Failure {
    Failure::Retry {
        error: Error::DownloadInconsistent { reason },
        wait: None,
    }
}

/// Forgets the bytes received, for a download from zero.
pub(super) async fn restart(sink: &mut impl Sink, progress: &mut Progress) -> Result<(), Failure> {
    sink.restart().await.map_err(Failure::Fatal)?;
    progress.received = 0;
    progress.head.clear();
    Ok(())
}

/// An [`Error::Io`] maker for `action` on `path`.
pub(super) fn io(action: &'static str, path: &Path) -> impl Fn(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        action,
        path: path.clone(),
        source,
    }
}
