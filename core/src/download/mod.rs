//! Saving a generated file: streamed to a temporary file beside the target, tried again after network
//! trouble (resumed with a range request when the host serves ranges), renamed into place
//! when whole. The download host never sees the API key.

use std::io::SeekFrom;
use std::path::Path;
use std::time::Duration;

use reqwest::header::{
    ACCEPT_RANGES, CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, LAST_MODIFIED, LOCATION,
};
use reqwest::{StatusCode, Url};
use tokio::fs::File;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::file_checks::unfollowed;
use crate::output::OutputFile;
use crate::part::{Part, PartPath};
use crate::retry::retry_after;
use crate::vocab::SIGNATURE_LEN;

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
    /// [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) hops), else [`Error::UrlRefused`].
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
    pub async fn save(&self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let url = Url::parse(self.url()).map_err(|e| Error::Decode {
            message: format!("the file URL is not valid: {e}"),
            excerpt: self.url().chars().take(200).collect(),
        })?;
        let span = tracing::info_span!("videohub.download", host = url.host_str().unwrap_or(""), path = %path.display());
        self.save_from(url, path, Part::Temporary)
            .instrument(span)
            .await
    }

    /// [`save`](OutputFile::save), into a part file the caller keeps across failures and
    /// processes: `part` (made by [`create_part_file`](crate::create_part_file)) is
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
        let url = Url::parse(self.url()).map_err(|e| Error::Decode {
            message: format!("the file URL is not valid: {e}"),
            excerpt: self.url().chars().take(200).collect(),
        })?;
        let span = tracing::info_span!("videohub.download", host = url.host_str().unwrap_or(""), path = %path.display());
        let part = Part::Kept {
            path: part.as_ref(),
            validator: validator.and_then(|v| HeaderValue::from_str(v).ok()),
            on_validator: &mut on_validator,
        };
        self.save_from(url, path, part).instrument(span).await
    }

    async fn save_from(&self, url: Url, path: &Path, part: Part<'_>) -> Result<u64> {
        crate::url_rules::check(&url, self.client.transport().allow_insecure_http()).map_err(
            |reason| Error::UrlRefused {
                url: self.url().to_owned(),
                reason,
            },
        )?;
        let (mut file, temp_path, mut progress, on_validator) = match part {
            Part::Temporary => {
                let temp = crate::part::new_part(path)?;
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
                let (file, held, head) = crate::part::open_kept(part, validator.is_some()).await?;
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
        let mut on_validator = on_validator;

        let policy = self
            .client
            .transport()
            .retry_policy()
            .max_retries(self.client.downloads().retries);
        let mut retry = 0;
        loop {
            let attempt = Attempt {
                number: retry + 1,
                url: &url,
                file: &mut file,
                temp: temp_path.as_ref(),
                on_validator: on_validator.as_deref_mut(),
            };
            match self.attempt(attempt, &mut progress).await {
                Ok(()) => break,
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry { error, wait }) => match policy.delay(retry, wait) {
                    Some(delay) => {
                        tracing::debug!(retry = retry + 1, delay_ms = delay.as_millis() as u64, received = progress.received, error = %error, "retrying the download");
                        self.client.transport().clock().sleep(delay).await;
                        retry += 1;
                    }
                    None => {
                        return Err(Error::DownloadInterrupted {
                            attempts: retry + 1,
                            received: progress.received,
                            source: Box::new(error),
                        });
                    }
                },
            }
        }
        let received = progress.received;
        if received == 0 {
            return Err(Error::DownloadEmpty {
                url: self.url().to_owned(),
            });
        }
        self.check_head(&progress.head)?;
        let written = temp_path.as_ref().to_path_buf();
        file.flush().await.map_err(io("write", &written))?;
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
        tracing::info!(bytes = received, attempts = retry + 1, "file saved");
        Ok(received)
    }

    /// One request: appends what it receives to the temporary file. `Ok` once the file is
    /// whole.
    async fn attempt(&self, at: Attempt<'_, '_>, progress: &mut Progress) -> Result<(), Failure> {
        let Attempt {
            number,
            url,
            file,
            temp,
            on_validator,
        } = at;
        if progress.received > 0 && !progress.ranges {
            tracing::info!(
                attempt = number,
                discarded = progress.received,
                "restarting the download from zero: the host does not serve usable ranges"
            );
            truncate(file, temp, progress).await?;
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
        let idle = self.client.downloads().idle_timeout;
        let timed_out = || Failure::Retry {
            error: Error::Timeout {
                what: format!("download received nothing for {idle:?}"),
            },
            wait: None,
        };
        let range = resuming.then_some((progress.received, progress.validator.as_ref()));
        let request = self.client.transport().download_get(url.clone(), range);
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
                    truncate(file, temp, progress).await?;
                }
                let headers = response.headers();
                progress.ranges = accepts_ranges(headers);
                progress.validator = validator(headers);
                if let (Some(report), Some(value)) = (
                    on_validator,
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
                        wait: retry_after(response.headers()),
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
            file.write_all(&chunk)
                .await
                .map_err(|e| Failure::Fatal(io("write", temp)(e)))?;
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

/// What a download knows between its tries.
#[derive(Debug, Default)]
struct Progress {
    /// The bytes in the temporary file.
    received: u64,
    /// The size of the whole file, when announced.
    expected: Option<u64>,
    /// The `ETag` (strong) or `Last-Modified` of the last whole answer, for `If-Range`.
    validator: Option<HeaderValue>,
    /// Whether the host announced `Accept-Ranges: bytes` and has answered ranges
    /// consistently.
    ranges: bool,
    /// The file's first bytes (up to [`SIGNATURE_LEN`]), to tell its format.
    head: Vec<u8>,
}

/// One try of a download.
struct Attempt<'a, 'f> {
    /// 1 for the first try.
    number: u32,
    url: &'a Url,
    file: &'a mut File,
    temp: &'a Path,
    /// Told the validator of a whole answer.
    on_validator: Option<&'a mut (dyn FnMut(&str) + Send + 'f)>,
}

/// Why a try ended without the whole file.
enum Failure {
    /// Another try may succeed, after `wait` when the host said how long.
    Retry {
        error: Error,
        wait: Option<Duration>,
    },
    /// No other try will.
    Fatal(Error),
}

/// A byte range of a `Content-Range` header: `bytes start-end/total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    /// The last byte, inclusive.
    end: u64,
    /// `None` for `*` (unknown).
    total: Option<u64>,
}

/// Reads `bytes start-end/total` (or `/*`); `None` for anything else, including a range
/// that ends before it starts or past the total.
fn parse_content_range(value: &str) -> Option<ContentRange> {
    let (unit, rest) = value.trim().split_once(' ')?;
    if !unit.eq_ignore_ascii_case("bytes") {
        return None;
    }
    let (range, total) = rest.trim().split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        total => Some(number(total)?),
    };
    let (start, end) = range.trim().split_once('-')?;
    let (start, end) = (number(start.trim())?, number(end.trim())?);
    if end < start || total.is_some_and(|total| end >= total) {
        return None;
    }
    Some(ContentRange { start, end, total })
}

/// A non-empty run of ASCII digits that fits a `u64`.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The part a `206` carries, checked against what the download holds and expects.
fn part_of(headers: &HeaderMap, progress: &mut Progress) -> Result<ContentRange, Failure> {
    let value = headers.get(CONTENT_RANGE).and_then(|v| v.to_str().ok());
    let Some(part) = value.and_then(parse_content_range) else {
        progress.ranges = false;
        return Err(inconsistent(format!(
            "206 with an unusable Content-Range {:?}",
            value.unwrap_or("(none)")
        )));
    };
    let problem = if part.start != progress.received {
        Some(format!(
            "asked for the bytes from {} on, got a part starting at {}",
            progress.received, part.start
        ))
    } else if let (Some(total), Some(expected)) = (part.total, progress.expected)
        && total != expected
    {
        Some(format!(
            "the file was announced with {expected} bytes, the part says {total}"
        ))
    } else if progress
        .expected
        .is_some_and(|expected| part.end >= expected)
    {
        Some(format!(
            "the part ends past the announced size at byte {}",
            part.end
        ))
    } else {
        None
    };
    match problem {
        Some(reason) => {
            progress.ranges = false;
            Err(inconsistent(reason))
        }
        None => Ok(part),
    }
}

fn inconsistent(reason: String) -> Failure {
    Failure::Retry {
        error: Error::DownloadInconsistent { reason },
        wait: None,
    }
}

/// Whether `Accept-Ranges` lists `bytes`.
fn accepts_ranges(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_RANGES)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|unit| unit.trim().eq_ignore_ascii_case("bytes"))
}

/// The validator `If-Range` may carry: a strong `ETag`, else `Last-Modified`.
fn validator(headers: &HeaderMap) -> Option<HeaderValue> {
    headers
        .get(ETAG)
        .filter(|etag| !etag.as_bytes().starts_with(b"W/"))
        .or_else(|| headers.get(LAST_MODIFIED))
        .cloned()
}

/// Empties the temporary file for a download from zero.
async fn truncate(file: &mut File, temp: &Path, progress: &mut Progress) -> Result<(), Failure> {
    let fail = |e| Failure::Fatal(io("write", temp)(e));
    file.flush().await.map_err(fail)?;
    file.set_len(0).await.map_err(fail)?;
    file.seek(SeekFrom::Start(0)).await.map_err(fail)?;
    progress.received = 0;
    progress.head.clear();
    Ok(())
}

/// An [`Error::Io`] maker for `action` on `path`.
fn io(action: &'static str, path: &Path) -> impl Fn(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        action,
        path: path.clone(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_read_strictly() {
        let range = |start, end, total| Some(ContentRange { start, end, total });
        assert_eq!(
            parse_content_range("bytes 0-99/100"),
            range(0, 99, Some(100))
        );
        assert_eq!(parse_content_range("BYTES 10-19/*"), range(10, 19, None));
        assert_eq!(parse_content_range(" bytes 5-5/6 "), range(5, 5, Some(6)));
        for bad in [
            "",
            "bytes",
            "bytes */100",
            "bytes 10-5/100",
            "bytes 0-100/100",
            "bytes +1-5/100",
            "bytes -1-5/100",
            "bytes 1-5",
            "items 0-1/2",
            "bytes 0-99999999999999999999999/1",
            "bytes 0-1/x",
            "bytes 0-\u{661}/2",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn if_range_takes_a_strong_etag_else_last_modified() {
        let mut headers = HeaderMap::new();
        assert_eq!(validator(&headers), None);
        headers.insert(
            LAST_MODIFIED,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        headers.insert(ETAG, HeaderValue::from_static("W/\"weak\""));
        assert_eq!(
            validator(&headers),
            Some(HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"))
        );
        headers.insert(ETAG, HeaderValue::from_static("\"v1\""));
        assert_eq!(
            validator(&headers),
            Some(HeaderValue::from_static("\"v1\""))
        );
    }

    #[test]
    fn accept_ranges_must_name_bytes() {
        let mut headers = HeaderMap::new();
        assert!(!accepts_ranges(&headers));
        headers.insert(ACCEPT_RANGES, HeaderValue::from_static("none"));
        assert!(!accepts_ranges(&headers));
        headers.insert(ACCEPT_RANGES, HeaderValue::from_static("items, Bytes"));
        assert!(accepts_ranges(&headers));
    }

    #[test]
    fn parts_must_start_where_the_file_stopped_and_match_its_size() {
        let headers = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_RANGE, HeaderValue::from_static(value));
            headers
        };
        let progress = || Progress {
            received: 40,
            expected: Some(100),
            validator: None,
            ranges: true,
            head: Vec::new(),
        };
        let mut ok = progress();
        assert!(part_of(&headers("bytes 40-99/100"), &mut ok).is_ok());
        assert!(ok.ranges);
        for bad in [
            "bytes 30-99/100",
            "bytes 40-119/120",
            "bytes 40-100/*",
            "nonsense",
        ] {
            let mut p = progress();
            assert!(
                matches!(
                    part_of(&headers(bad), &mut p),
                    Err(Failure::Retry {
                        error: Error::DownloadInconsistent { .. },
                        ..
                    })
                ),
                "{bad}"
            );
            assert!(!p.ranges, "{bad}: no more ranges from this host");
        }
    }
}
