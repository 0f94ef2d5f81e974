//! Byte ranges: reading `Content-Range`, `Accept-Ranges` and the validator `If-Range` may
//! carry, and checking a `206` against what the download holds.

use reqwest::header::{ACCEPT_RANGES, CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, LAST_MODIFIED};

use super::transfer::{Failure, Progress, inconsistent};

/// A byte range of a `Content-Range` header: `bytes start-end/total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ContentRange {
    pub(super) start: u64,
    /// The last byte, inclusive.
    pub(super) end: u64,
    /// `None` for `*` (unknown).
    pub(super) total: Option<u64>,
}

/// Reads `bytes start-end/total` (or `/*`); `None` for anything else, including a range
/// that ends before it starts or past the total.
pub(super) fn parse_content_range(value: &str) -> Option<ContentRange> {
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
pub(super) fn part_of(
    headers: &HeaderMap,
    progress: &mut Progress,
) -> Result<ContentRange, Failure> {
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

/// Whether `Accept-Ranges` lists `bytes`.
pub(super) fn accepts_ranges(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_RANGES)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|unit| unit.trim().eq_ignore_ascii_case("bytes"))
}

/// The validator `If-Range` may carry: a strong `ETag`, else `Last-Modified`.
pub(super) fn validator(headers: &HeaderMap) -> Option<HeaderValue> {
    headers
        .get(ETAG)
        .filter(|etag| !etag.as_bytes().starts_with(b"W/"))
        .or_else(|| headers.get(LAST_MODIFIED))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

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
