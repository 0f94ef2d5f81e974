//! What the tries of one download share: the part file and what is known of the file so
//! far, why a try failed, and the edits of the part file between tries.

use std::io::SeekFrom;
use std::path::Path;
use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio::fs::File;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

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
pub(super) struct Transfer<'a> {
    /// The part file the bytes go to.
    pub(super) file: File,
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

/// Empties the temporary file for a download from zero.
pub(super) async fn truncate(
    file: &mut File,
    temp: &Path,
    progress: &mut Progress,
) -> Result<(), Failure> {
    let fail = |e| Failure::Fatal(io("write", temp)(e));
    file.flush().await.map_err(fail)?;
    file.set_len(0).await.map_err(fail)?;
    file.seek(SeekFrom::Start(0)).await.map_err(fail)?;
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
