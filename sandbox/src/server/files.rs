//! The file origin: finished videos and images, with single byte ranges, streamed from
//! static buffers, and the download faults.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;

use super::state::{CounterCells, Sample};
use super::{AppState, error};
use crate::faults::{FaultKind, FaultPoint};
use crate::tasks::{Outcome, Phase};

pub(super) async fn download(
    State(shared): State<AppState>,
    Path((task_id, file_name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        CounterCells::bump(&shared.counters.authorized_downloads);
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this file origin refuses requests that carry an Authorization header: never send the hub's key here",
        );
    }
    CounterCells::bump(&shared.counters.downloads);
    let media = shared.tasks().get(&task_id).and_then(|task| {
        (task.file_name() == file_name
            && matches!(task.phase(Instant::now()), Phase::Done(Outcome::Completed)))
        .then(|| task.media())
    });
    let Some(sample) = media.and_then(|media| shared.sample(media)) else {
        return error(
            StatusCode::NOT_FOUND,
            "file_not_found",
            format!("no file `{task_id}/{file_name}`"),
        );
    };
    let size = sample.size;
    let etag = format!("\"{task_id}-{size:x}\"");
    let range = match requested_range(&headers, &etag, size) {
        Ok(range) => range,
        Err(Unsatisfiable) => {
            let mut response = error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("the file has {size} bytes"),
            );
            let headers = response.headers_mut();
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
    };
    let fault = shared.draw(FaultPoint::Download);
    let (start, len) = match range {
        Some((start, end)) => (start, end - start + 1),
        None => (0, size),
    };
    let body = if fault == Some(FaultKind::Slow) {
        // The answer and the first half of its bytes at once, the rest after the delay: a
        // download caught in the middle.
        let first = file_bytes(sample).skip_bytes(start).take_bytes(len / 2);
        let rest = file_bytes(sample)
            .skip_bytes(start + len / 2)
            .take_bytes(len - len / 2);
        let slow = shared.faults.slow;
        let pause = futures::stream::once(async move {
            tokio::time::sleep(slow).await;
            Ok(Bytes::new())
        });
        Body::from_stream(first.chain(pause).chain(rest))
    } else if fault == Some(FaultKind::TruncatedDownload) {
        let first = file_bytes(sample).skip_bytes(start).take_bytes(len / 2);
        // Let the first half reach the socket, then break the body: hyper closes the
        // connection short of the announced length.
        let cut = futures::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "truncated download (fault)",
            ))
        });
        Body::from_stream(first.chain(cut))
    } else if range.is_none() && size == sample.bytes.len() as u64 {
        Body::from(Bytes::from_static(sample.bytes))
    } else {
        Body::from_stream(file_bytes(sample).skip_bytes(start).take_bytes(len))
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(sample.content_type),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some((start, end)) = range {
        CounterCells::bump(&shared.counters.ranged_downloads);
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
            headers.insert(header::CONTENT_RANGE, value);
        }
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    response
}

/// A `Range` no byte of the file satisfies (answered 416).
#[derive(Debug, PartialEq, Eq)]
struct Unsatisfiable;

/// The byte range (first and last byte, inclusive) a download asks for and gets: a single
/// `bytes=N-` or `bytes=N-M` range, unless `If-Range` names another version than `etag`.
/// `Ok(None)` means the whole file: no `Range`, an `If-Range` that does not match, or a
/// form not served (several ranges, a suffix `bytes=-N`, a malformed header), which HTTP
/// allows a server to ignore.
fn requested_range(
    headers: &HeaderMap,
    etag: &str,
    size: u64,
) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    if headers
        .get(header::IF_RANGE)
        .is_some_and(|if_range| if_range.as_bytes() != etag.as_bytes())
    {
        return Ok(None);
    }
    let Some(spec) = value
        .trim()
        .split_once('=')
        .filter(|(unit, _)| unit.trim().eq_ignore_ascii_case("bytes"))
        .map(|(_, spec)| spec.trim())
    else {
        return Ok(None);
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let number = |text: &str| {
        let text = text.trim();
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    let Some(first) = number(first) else {
        return Ok(None);
    };
    let last = match last.trim() {
        "" => None,
        last => match number(last) {
            Some(last) if last >= first => Some(last),
            _ => return Ok(None),
        },
    };
    if first >= size {
        return Err(Unsatisfiable);
    }
    let end = last.map_or(size - 1, |last| last.min(size - 1));
    Ok(Some((first, end)))
}

/// Zeros for the padding of large videos, shared by every download.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// The file of `sample`: its fixture, then (for a video larger than the fixture) a
/// top-level MP4 `free` box of zeros filling the rest, which players skip. Streamed in
/// 64 KiB pieces of one static buffer: nothing of the size is held in memory.
fn file_bytes(sample: Sample) -> FileBytes {
    let fixture = sample.bytes.len() as u64;
    let padding = sample.size.saturating_sub(fixture);
    let mut header = Vec::new();
    if padding >= 16 && padding > u64::from(u32::MAX) {
        // A 64-bit box size: size field 1, then the real size after the type.
        header.extend_from_slice(&1u32.to_be_bytes());
        header.extend_from_slice(b"free");
        header.extend_from_slice(&padding.to_be_bytes());
    } else if padding >= 8 {
        header.extend_from_slice(&(padding as u32).to_be_bytes());
        header.extend_from_slice(b"free");
    }
    FileBytes {
        pieces: vec![
            Bytes::from_static(sample.bytes),
            Bytes::from(header.clone()),
        ],
        zeros_left: padding.saturating_sub(header.len() as u64),
        limit: u64::MAX,
    }
}

/// The pieces of [`file_bytes`], as a stream.
struct FileBytes {
    /// Pieces still to send before the zeros, in order.
    pieces: Vec<Bytes>,
    zeros_left: u64,
    /// Bytes still allowed (for a truncated download).
    limit: u64,
}

impl FileBytes {
    /// Ends the stream after `limit` bytes.
    fn take_bytes(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Starts the stream `skip` bytes in, without producing the skipped bytes.
    fn skip_bytes(mut self, mut skip: u64) -> Self {
        while skip > 0 {
            let Some(first) = self.pieces.first_mut() else {
                break;
            };
            let len = first.len() as u64;
            if len <= skip {
                self.pieces.remove(0);
                skip -= len;
            } else {
                // `skip` < `len`, a `usize`.
                *first = first.slice(skip as usize..);
                skip = 0;
            }
        }
        self.zeros_left = self.zeros_left.saturating_sub(skip);
        self
    }

    fn next_piece(&mut self) -> Option<Bytes> {
        let mut piece = loop {
            if !self.pieces.is_empty() {
                let piece = self.pieces.remove(0);
                if piece.is_empty() {
                    continue;
                }
                break piece;
            }
            if self.zeros_left == 0 {
                return None;
            }
            let n = self.zeros_left.min(ZEROS.len() as u64);
            self.zeros_left -= n;
            break Bytes::from_static(&ZEROS[..n as usize]);
        };
        if self.limit == 0 {
            return None;
        }
        if piece.len() as u64 > self.limit {
            piece.truncate(self.limit as usize);
        }
        self.limit -= piece.len() as u64;
        Some(piece)
    }
}

impl futures::Stream for FileBytes {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.next_piece().map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SAMPLE_MP4, SAMPLE_PNG};

    /// The sample video padded to `size` bytes.
    fn video_bytes(size: u64) -> FileBytes {
        file_bytes(Sample {
            bytes: SAMPLE_MP4,
            content_type: "video/mp4",
            size,
        })
    }

    fn collect(stream: FileBytes) -> Vec<u8> {
        let mut stream = stream;
        let mut out = Vec::new();
        while let Some(piece) = stream.next_piece() {
            out.extend_from_slice(&piece);
        }
        out
    }

    #[test]
    fn large_videos_are_the_fixture_and_a_free_box() {
        let fixture = SAMPLE_MP4.len();
        assert_eq!(collect(video_bytes(fixture as u64)), SAMPLE_MP4);
        let size = fixture + 200_000;
        let video = collect(video_bytes(size as u64));
        assert_eq!(video.len(), size);
        assert_eq!(&video[..fixture], SAMPLE_MP4);
        assert_eq!(&video[fixture..fixture + 4], &200_000u32.to_be_bytes());
        assert_eq!(&video[fixture + 4..fixture + 8], b"free");
        assert!(video[fixture + 8..].iter().all(|b| *b == 0));
        let half = collect(video_bytes(size as u64).take_bytes(size as u64 / 2));
        assert_eq!(half.len(), size / 2);
        // A box beyond 4 GiB takes the 64-bit size form (checked without streaming it).
        let mut huge = video_bytes(5 << 30);
        huge.next_piece();
        let header = huge.next_piece().expect("header");
        assert_eq!(&header[..8], b"\0\0\0\x01free");
        assert_eq!(&header[8..], &((5u64 << 30) - fixture as u64).to_be_bytes());
    }

    #[test]
    fn an_image_is_its_fixture() {
        let image = Sample {
            bytes: SAMPLE_PNG,
            content_type: "image/png",
            size: SAMPLE_PNG.len() as u64,
        };
        assert_eq!(collect(file_bytes(image)), SAMPLE_PNG);
        assert_eq!(collect(file_bytes(image).skip_bytes(8)), &SAMPLE_PNG[8..]);
    }

    #[test]
    fn skipping_gives_the_slice_of_the_whole_video() {
        let fixture = SAMPLE_MP4.len() as u64;
        let size = fixture + 200_000;
        let whole = collect(video_bytes(size));
        for skip in [
            0,
            1,
            fixture - 1,
            fixture,
            fixture + 3,
            fixture + 8,
            fixture + 70_000,
            size - 1,
            size,
            size + 5,
        ] {
            let rest = collect(video_bytes(size).skip_bytes(skip));
            let from = usize::try_from(skip.min(size)).expect("small");
            assert_eq!(rest, whole[from..], "skip {skip}");
            let part = collect(video_bytes(size).skip_bytes(skip).take_bytes(10));
            assert_eq!(
                part,
                whole[from..(from + 10).min(whole.len())],
                "skip {skip}"
            );
        }
        // A skip into the zeros of a huge video does not produce them.
        let mut huge = video_bytes(5 << 30).skip_bytes((5 << 30) - 3);
        assert_eq!(huge.next_piece().as_deref(), Some(&[0u8, 0, 0][..]));
        assert_eq!(huge.next_piece(), None);
    }

    #[test]
    fn ranges_are_single_and_within_the_file() {
        let etag = "\"t-64\"";
        let ask = |range: &str, if_range: Option<&str>| {
            let mut headers = HeaderMap::new();
            headers.insert(header::RANGE, HeaderValue::from_str(range).expect("header"));
            if let Some(v) = if_range {
                headers.insert(header::IF_RANGE, HeaderValue::from_str(v).expect("header"));
            }
            requested_range(&headers, etag, 100)
        };
        assert_eq!(requested_range(&HeaderMap::new(), etag, 100), Ok(None));
        assert_eq!(ask("bytes=0-", None), Ok(Some((0, 99))));
        assert_eq!(ask("bytes=40-", Some(etag)), Ok(Some((40, 99))));
        assert_eq!(ask("bytes=10-19", None), Ok(Some((10, 19))));
        assert_eq!(ask("bytes=90-500", None), Ok(Some((90, 99))));
        assert_eq!(ask("bytes=99-99", None), Ok(Some((99, 99))));
        assert_eq!(ask("bytes=100-", None), Err(Unsatisfiable));
        assert_eq!(ask("bytes=18446744073709551615-", None), Err(Unsatisfiable));
        assert_eq!(ask("bytes=40-", Some("\"other\"")), Ok(None));
        for ignored in [
            "bytes=-10",
            "bytes=0-1,5-6",
            "bytes=20-10",
            "items=0-1",
            "bytes=x-",
            "bytes=+1-",
            "bytes",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(ask(ignored, None), Ok(None), "{ignored}");
        }
    }
}
