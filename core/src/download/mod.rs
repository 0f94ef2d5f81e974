//! Saving a generated file: streamed to a temporary file beside the target, tried again after network
//! trouble (resumed with a range request when the host serves ranges), renamed into place
//! when whole. The download host never sees the API key.
//!
//! - `part`: the part file beside the target, and the check that a folder takes one;
//! - `transfer`: what the tries share (the part file, the progress) and why one failed;
//! - `ranges`: `Content-Range`, `Accept-Ranges` and `If-Range`, and a `206` checked;
//! - `checks`: what the file must be before it is saved (size, kind), and the error of a
//!   redirect not followed.

mod checks;
#[cfg(feature = "object-store")]
mod object;
mod part;
mod ranges;
mod sink;
mod transfer;

use std::path::Path;

use reqwest::header::{HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use tokio::io::AsyncWriteExt;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::object_url::Destination;
#[cfg(not(feature = "object-store"))]
use crate::object_url::ObjectUrl;
use crate::output::OutputFile;
use crate::vocab::SIGNATURE_LEN;
use crate::wire::{GaveUp, retry, retry_after};
use checks::unfollowed;
use part::{Part, PartPath};
use ranges::{accepts_ranges, part_of, validator};
use sink::{FileSink, Sink};
use transfer::{Failure, Progress, Transfer, inconsistent, io, restart};

pub use part::{check_destination, create_part_file};

impl OutputFile {
    /// Downloads the file to `path` and returns the number of bytes written.
    ///
    /// The body is streamed (never held in memory) into a hidden temporary file in the same
    /// directory, which is renamed to `path` only once complete: a failed or interrupted
    /// download leaves no file under `path` (an existing file there is kept until the
    /// rename replaces it) and removes its temporary file. The size is checked against
    /// `file_size` when the hub states one (else against `Content-Length`, or the total of
    /// `Content-Range`). No request carries an `Authorization` header, and the URL and every
    /// redirect hop obey the client's URL rules (`https://`, or `http://` to loopback unless
    /// the client allows insecure HTTP; no link-local or metadata address; at most
    /// [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) hops; the client's API key nowhere in the
    /// URL), else [`Error::UrlRefused`].
    ///
    /// The file is saved only when it is a file of its kind: not empty
    /// ([`Error::DownloadEmpty`]), no larger than the client's
    /// [`max_download_size`](crate::ClientBuilder::max_download_size) (announced or received:
    /// [`Error::DownloadTooLarge`]), and starting with the signature of one of its
    /// [`Media::formats`](crate::Media::formats) ([`Error::NotMedia`], judged on the first
    /// bytes, before the rest is read).
    ///
    /// A try interrupted by network trouble (a reset or broken connection, a body that ends
    /// early, nothing received for the client's
    /// [`download_idle_timeout`](crate::ClientBuilder::download_idle_timeout)) or answered
    /// 408, 429 or 5xx is tried again, up to
    /// [`download_retries`](crate::ClientBuilder::download_retries) times, after a backoff
    /// with jitter from the client's [`RetryPolicy`](crate::RetryPolicy) (or the host's
    /// `Retry-After`). When the host announced `Accept-Ranges: bytes`, the next try asks
    /// only for the missing bytes (`Range: bytes=N-`, with `If-Range` carrying the first
    /// answer's `ETag` or `Last-Modified`) and appends a `206` that starts where the file
    /// stopped; a `200` (the host ignores ranges, or the file changed) starts over from
    /// zero, and so does an inconsistent `206` or a `416`. Other 4xx answers are not
    /// retried ([`Error::DownloadStatus`]), nor is a complete answer of the wrong size
    /// ([`Error::DownloadIncomplete`]). When no try is left the error is
    /// [`Error::DownloadInterrupted`], carrying the last cause.
    ///
    /// `path` may name an object instead (`s3://bucket/key`, `gs://bucket/key`,
    /// `az://container/key`; a `file://` URL names a path), with the `object-store` feature:
    /// the file is then streamed into the store as [`upload`](OutputFile::upload) does, and
    /// exists there only once whole (without the feature, [`Error::BadDestination`] before
    /// any request).
    pub async fn save(&self, path: impl AsRef<Path>) -> Result<u64> {
        let path = match Destination::parse(path.as_ref())? {
            Destination::Path(path) => path,
            #[cfg(feature = "object-store")]
            Destination::Object(object) => {
                return self.upload_to(&object, None).await.map(|u| u.size);
            }
            #[cfg(not(feature = "object-store"))]
            Destination::Object(object) => return Err(needs_the_feature(&object)),
        };
        let path = path.as_path();
        let (url, span) = self
            .download_url(&path.display())
            .map_err(|e| self.shown(e))?;
        self.save_from(url, path, Part::Temporary)
            .instrument(span)
            .await
            .map_err(|e| self.shown(e))
    }

    /// [`save`](OutputFile::save), into a part file the caller keeps across failures and
    /// processes: `part` (made by [`create_part_file`](crate::__private::create_part_file)) is
    /// continued from its length when it holds bytes and `validator` (the `ETag` or
    /// `Last-Modified` an earlier answer gave, reported by `on_validator`) is known, with
    /// `Range: bytes=N-` and `If-Range: validator`; a host that refuses the range (a `200`,
    /// or a file that changed) sends the whole file, written from zero. Without a
    /// validator the part starts over from zero. The part is renamed to `path` when whole;
    /// on any error it is left where it is, with the bytes received, for the caller to
    /// continue or remove. `on_validator` sees the validator of every whole answer.
    pub async fn save_continuing(
        &self,
        path: impl AsRef<Path>,
        part: impl AsRef<Path>,
        validator: Option<&str>,
        mut on_validator: impl FnMut(&str) + Send,
    ) -> Result<u64> {
        let path = path.as_ref();
        if let Destination::Object(object) = Destination::parse(path)? {
            return Err(Error::BadDestination {
                destination: object.to_string(),
                reason: "a part file is kept for a path: objects are uploaded \
                         (`OutputFile::upload`)"
                    .into(),
            });
        }
        let (url, span) = self
            .download_url(&path.display())
            .map_err(|e| self.shown(e))?;
        let part = Part::Kept {
            path: part.as_ref(),
            validator: validator.and_then(|v| HeaderValue::from_str(v).ok()),
            on_validator: &mut on_validator,
        };
        self.save_from(url, path, part)
            .instrument(span)
            .await
            .map_err(|e| self.shown(e))
    }

    /// `error` as it is shown: the hub's text in it (the file URL) without the key.
    fn shown(&self, error: Error) -> Error {
        self.hub.redactor().error(error)
    }

    /// The file's URL, parsed, and the span of its download to `path`. A URL that holds
    /// the API key is refused: the key is never sent to a download host.
    fn download_url(&self, path: &dyn std::fmt::Display) -> Result<(Url, tracing::Span)> {
        if self.hub.redactor().finds_key(self.url()) {
            return Err(Error::UrlRefused {
                url: self.url().to_owned(),
                reason: "it holds the API key, which is never sent to a download host".into(),
            });
        }
        let url = Url::parse(self.url()).map_err(|e| Error::Decode {
            message: format!("the file URL is not valid: {e}"),
            excerpt: self.url().chars().take(200).collect(),
        })?;
        // `bytes` (all the file holds, a continued part included) and `attempts` are
        // recorded when its tries end, whatever their outcome, by `record_end`.
        let span = tracing::info_span!(
            "videohub.download",
            otel.kind = "client",
            server.address = url.host_str().unwrap_or(""),
            path = %path,
            bytes = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        Ok((url, span))
    }

    async fn save_from(&self, url: Url, path: &Path, part: Part<'_>) -> Result<u64> {
        self.check_url(&url)?;
        let (file, temp_path, progress, on_validator) = match part {
            Part::Temporary => {
                let temp = part::new_part(path)?;
                // Dropping `temp_path` on any early return removes the temporary file.
                let (file, temp_path) = temp.into_parts();
                let file = tokio::fs::File::from_std(file);
                (
                    file,
                    PartPath::Temporary(temp_path),
                    Progress::default(),
                    None,
                )
            }
            Part::Kept {
                path: part,
                validator,
                on_validator,
            } => {
                let (file, held, head) = part::open_kept(part, validator.is_some()).await?;
                let progress = Progress {
                    received: held,
                    expected: self.file_size(),
                    ranges: validator.is_some(),
                    validator,
                    head,
                };
                (
                    file,
                    PartPath::Kept(part.to_path_buf()),
                    progress,
                    Some(on_validator),
                )
            }
        };
        let sink = FileSink {
            file,
            path: temp_path.as_ref().to_path_buf(),
        };
        let transfer = Transfer {
            sink,
            progress,
            on_validator,
        };
        let (transfer, tries) = self.tries(&url, transfer).await;
        let Transfer {
            sink: FileSink {
                mut file,
                path: written,
            },
            progress,
            ..
        } = transfer;
        // Every byte received is in the file before this returns, whatever the outcome (a
        // write not yet flushed would be lost with the handle): the next process continues
        // from what the part file holds.
        let flushed = file.flush().await;
        let tries = tries?;
        let received = progress.received;
        self.check_whole(&progress)?;
        flushed.map_err(io("write", &written))?;
        file.sync_all().await.map_err(io("write", &written))?;
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o644))
                .map_err(io("set permissions of", &written))?;
        }
        let moved = match temp_path {
            PartPath::Temporary(temp) => temp.persist(path).map_err(|e| e.error),
            PartPath::Kept(part) => std::fs::rename(part, path),
        };
        moved.map_err(|source| Error::Io {
            action: "move the download to",
            path: path.to_path_buf(),
            source,
        })?;
        tracing::info!(bytes = received, attempts = tries, "file saved");
        Ok(received)
    }

    /// Refuses a file URL that breaks the client's URL rules.
    fn check_url(&self, url: &Url) -> Result<()> {
        crate::url_rules::check(url, self.hub.transport().allow_insecure_http()).map_err(|reason| {
            Error::UrlRefused {
                url: self.url().to_owned(),
                reason,
            }
        })
    }

    /// Runs the tries of a download into `transfer`'s sink, one after the other; returns
    /// the transfer with the number of requests made, or why the last one failed.
    async fn tries<'a, S: Sink>(
        &self,
        url: &Url,
        transfer: Transfer<'a, S>,
    ) -> (Transfer<'a, S>, Result<u32>) {
        let policy = self
            .hub
            .transport()
            .retry_policy()
            .max_retries(self.hub.downloads().retries);
        // The tries run one after the other; the lock only lends the transfer to each.
        let transfer = tokio::sync::Mutex::new(transfer);
        let tries = retry(&policy, self.hub.clock(), true, |number| {
            let transfer = &transfer;
            async move {
                let mut transfer = transfer.lock().await;
                self.attempt(number, url, &mut transfer).await?;
                Ok(number)
            }
        })
        .await;
        let transfer = transfer.into_inner();
        let attempts = match &tries {
            Ok(tries) | Err(GaveUp { tries, .. }) => *tries,
        };
        record_end(transfer.progress.received, attempts);
        let tries = match tries {
            Ok(tries) => Ok(tries),
            Err(GaveUp {
                failure: Failure::Fatal(error),
                ..
            }) => Err(error),
            Err(GaveUp {
                failure: Failure::Retry { error, .. },
                tries,
            }) => Err(Error::DownloadInterrupted {
                attempts: tries,
                received: transfer.progress.received,
                source: Box::new(error),
            }),
        };
        (transfer, tries)
    }

    /// Whether the bytes received make a file that may be saved: not empty, and of its kind.
    fn check_whole(&self, progress: &Progress) -> Result<()> {
        if progress.received == 0 {
            return Err(Error::DownloadEmpty {
                url: self.url().to_owned(),
            });
        }
        self.check_head(&progress.head)
    }

    /// One request: appends what it receives to the sink. `Ok` once the file is whole.
    async fn attempt(
        &self,
        number: u32,
        url: &Url,
        transfer: &mut Transfer<'_, impl Sink>,
    ) -> Result<(), Failure> {
        let Transfer {
            sink,
            progress,
            on_validator,
        } = transfer;
        if progress.received > 0 && !progress.ranges {
            tracing::info!(
                attempt = number,
                discarded = progress.received,
                "restarting the download from zero: the host does not serve usable ranges"
            );
            restart(sink, progress).await?;
        }
        let resuming = progress.received > 0;
        if resuming {
            tracing::info!(
                attempt = number,
                from = progress.received,
                expected = ?progress.expected,
                if_range = progress.validator.is_some(),
                "resuming the download with a range request"
            );
        }
        let idle = self.hub.downloads().idle_timeout;
        let timed_out = || Failure::Retry {
            error: Error::Timeout {
                what: format!("download received nothing for {idle:?}"),
            },
            wait: None,
        };
        let range = resuming.then_some((progress.received, progress.validator.as_ref()));
        let request = self.hub.transport().download_get(url.clone(), range);
        let mut response = match tokio::time::timeout(idle, request).await {
            Err(_) => return Err(timed_out()),
            // A redirect the URL rules refuse comes again on every try.
            Ok(Err(error @ Error::UrlRefused { .. })) => return Err(Failure::Fatal(error)),
            Ok(Err(error)) => return Err(Failure::Retry { error, wait: None }),
            Ok(Ok(response)) => response,
        };

        let whole_file = response.status() != StatusCode::PARTIAL_CONTENT;
        // The end (exclusive) of what this answer promises, in file offsets.
        let promised_end = match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let part = part_of(response.headers(), progress)?;
                if progress.expected.is_none() {
                    progress.expected = part.total;
                }
                Some(part.end + 1)
            }
            status if status.is_success() => {
                if progress.received > 0 {
                    tracing::info!(
                        attempt = number,
                        discarded = progress.received,
                        "the host sent the whole file again: restarting from zero"
                    );
                    restart(sink, progress).await?;
                }
                let headers = response.headers();
                progress.ranges = accepts_ranges(headers);
                progress.validator = validator(headers);
                if let (Some(report), Some(value)) = (
                    on_validator.as_deref_mut(),
                    progress.validator.as_ref().and_then(|v| v.to_str().ok()),
                ) {
                    report(value);
                }
                progress.expected = self.file_size().or(response.content_length());
                if progress.expected.is_some_and(|size| size > self.max_size()) {
                    return Err(Failure::Fatal(self.too_large()));
                }
                response.content_length()
            }
            StatusCode::RANGE_NOT_SATISFIABLE if resuming => {
                progress.ranges = false;
                return Err(inconsistent(format!(
                    "416 to a request for the bytes from {} on",
                    progress.received
                )));
            }
            // A redirect the client did not follow: to a scheme it cannot fetch.
            status if status.is_redirection() && response.headers().contains_key(LOCATION) => {
                return Err(Failure::Fatal(unfollowed(url, response.headers())));
            }
            status => {
                let error = Error::DownloadStatus {
                    status: status.as_u16(),
                };
                let code = status.as_u16();
                return Err(if code == 408 || code == 429 || status.is_server_error() {
                    Failure::Retry {
                        error,
                        wait: retry_after(response.headers(), self.hub.clock()),
                    }
                } else {
                    Failure::Fatal(error)
                });
            }
        };

        loop {
            let chunk = match tokio::time::timeout(idle, response.chunk()).await {
                Err(_) => return Err(timed_out()),
                // Every announced byte is here: the broken end loses nothing.
                Ok(Err(_)) if progress.expected == Some(progress.received) => return Ok(()),
                Ok(Err(e)) => {
                    return Err(Failure::Retry {
                        error: Error::Transport(e.without_url()),
                        wait: None,
                    });
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            let received = progress.received + chunk.len() as u64;
            if let Some(end) = promised_end.filter(|end| received > *end) {
                progress.ranges = false;
                return Err(inconsistent(format!(
                    "the answer went on past the end it announced, byte {end}"
                )));
            }
            if let Some(expected) = progress.expected.filter(|e| received > *e) {
                return Err(Failure::Fatal(Error::DownloadIncomplete {
                    expected,
                    received,
                }));
            }
            if received > self.max_size() {
                return Err(Failure::Fatal(self.too_large()));
            }
            sink.write(&chunk).await.map_err(Failure::Fatal)?;
            progress.received = received;
            let sniffed = progress.head.len() >= SIGNATURE_LEN;
            let room = SIGNATURE_LEN.saturating_sub(progress.head.len());
            progress
                .head
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
            // Judged as soon as the first bytes are in: an HTML page is not read to its end.
            if !sniffed && progress.head.len() >= SIGNATURE_LEN {
                self.check_head(&progress.head).map_err(Failure::Fatal)?;
            }
        }
        // An answer that ended before the end it announced (its own length, or its part's).
        let cut_at = promised_end.filter(|end| progress.received < *end);
        match (progress.expected, cut_at) {
            (Some(expected), _) if progress.received < expected => {
                let error = Error::DownloadIncomplete {
                    expected,
                    received: progress.received,
                };
                // A whole file of the wrong size would come again; an answer cut before its
                // own end, or a part short of the file's end, may be followed by the rest.
                if whole_file && promised_end == Some(progress.received) {
                    Err(Failure::Fatal(error))
                } else {
                    Err(Failure::Retry { error, wait: None })
                }
            }
            (None, Some(end)) => Err(Failure::Retry {
                error: Error::DownloadIncomplete {
                    expected: end,
                    received: progress.received,
                },
                wait: None,
            }),
            _ => Ok(()),
        }
    }
}

/// The error of an object URL given to a build without the `object-store` feature.
#[cfg(not(feature = "object-store"))]
fn needs_the_feature(object: &ObjectUrl) -> Error {
    Error::BadDestination {
        destination: object.to_string(),
        reason: format!(
            "saving to {}:// needs videohub's `object-store` feature",
            object.scheme()
        ),
    }
}

/// Records on the current download span how many bytes the file holds and how many
/// attempts were made, as signed integers (the type trace exporters keep as numbers).
fn record_end(bytes: u64, attempts: u32) {
    let span = tracing::Span::current();
    span.record("bytes", i64::try_from(bytes).unwrap_or(i64::MAX));
    span.record("attempts", i64::from(attempts));
}
