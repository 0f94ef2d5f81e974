//! A job's file saved as an object (`s3://bucket/key`), played through the studio: read
//! from its store as it is sent, whole or the one range a player asks for when it seeks
//! (`Range: bytes=N-` or `bytes=N-M`), never held whole. Only the object the journal
//! recorded for the job, under the prefix it was to be saved in (or the studio's own), of
//! the size recorded, is served.

use std::ops::Range;
use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use videohub::{Client, Destination, ObjectUrl};
use videohub_journal::Job;

/// The object `job`'s file is, when it is one.
pub(crate) fn object_of(job: &Job) -> Option<ObjectUrl> {
    match Destination::parse(job.file_path.as_deref()?) {
        Ok(Destination::Object(url)) => Some(url),
        _ => None,
    }
}

/// Whether `url` is under the prefix of the job's output or of the studio's output folder.
fn inside(job: &Job, url: &ObjectUrl, output_dir: &Path) -> bool {
    let text = url.to_string();
    let output = job.output_file();
    [output.parent(), Some(output_dir)]
        .into_iter()
        .flatten()
        .map(|root| root.to_string_lossy().trim_end_matches('/').to_owned() + "/")
        .any(|root| text.starts_with(&root))
}

/// The bytes `Range` asks for in an object of `size` bytes: `None` for the whole object,
/// `Err` for a range past its end. Ranges of several parts or suffixes are served whole.
fn asked(headers: &HeaderMap, size: u64) -> Result<Option<Range<u64>>, ()> {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .filter(|v| !v.contains(','))
    else {
        return Ok(None);
    };
    let Some((start, end)) = spec.split_once('-') else {
        return Ok(None);
    };
    let Ok(start) = start.trim().parse::<u64>() else {
        return Ok(None);
    };
    let end = match end.trim() {
        "" => size,
        end => match end.parse::<u64>() {
            Ok(last) if last >= start => (last + 1).min(size),
            _ => return Ok(None),
        },
    };
    if start >= size {
        return Err(());
    }
    Ok(Some(start..end))
}

/// The object of `job`, served as the answer to a request with `headers`.
pub(crate) async fn serve(
    client: &Client,
    job: &Job,
    url: &ObjectUrl,
    output_dir: &Path,
    headers: &HeaderMap,
) -> Response {
    let refused = |why: String| {
        let message = format!("the file of job {} is not served: {why}", job.id);
        (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": message})),
        )
            .into_response()
    };
    if !inside(job, url, output_dir) {
        return refused("it is outside the prefixes the job wrote to".into());
    }
    let Some(size) = job.file_size else {
        return refused("no size was recorded".into());
    };
    let range = match asked(headers, size) {
        Ok(range) => range,
        Err(()) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response();
        }
    };
    let partial = range.is_some();
    let read = match client.read_object(url, range).await {
        Ok(read) => read,
        Err(error) => {
            let message = serde_json::json!({"error": error.to_string()});
            return (StatusCode::BAD_GATEWAY, axum::Json(message)).into_response();
        }
    };
    if read.size != size {
        return refused(format!(
            "it has {} bytes, {size} were recorded when it was saved",
            read.size
        ));
    }
    let range = read.range.clone();
    let mut response = Response::new(Body::from_stream(read.into_stream()));
    let headers = response.headers_mut();
    // Typed by its extension, as a file is: `video/mp4`, `image/png`.
    let mime = mime_guess::from_path(url.key()).first_or_octet_stream();
    headers.insert(
        header::CONTENT_TYPE,
        mime.as_ref().parse().expect("a MIME type"),
    );
    headers.insert(header::ACCEPT_RANGES, "bytes".parse().expect("a value"));
    headers.insert(header::CONTENT_LENGTH, (range.end - range.start).into());
    if partial {
        let content_range = format!("bytes {}-{}/{size}", range.start, range.end - 1);
        headers.insert(
            header::CONTENT_RANGE,
            content_range.parse().expect("a value"),
        );
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, value.parse().unwrap());
        headers
    }

    #[test]
    fn ranges_are_read_as_players_send_them() {
        assert_eq!(asked(&HeaderMap::new(), 100), Ok(None));
        assert_eq!(asked(&range("bytes=0-"), 100), Ok(Some(0..100)));
        assert_eq!(asked(&range("bytes=10-19"), 100), Ok(Some(10..20)));
        assert_eq!(asked(&range("bytes=90-500"), 100), Ok(Some(90..100)));
        assert_eq!(asked(&range("bytes=100-"), 100), Err(()));
        assert_eq!(asked(&range("bytes=0-1,5-6"), 100), Ok(None));
        assert_eq!(asked(&range("bytes=-5"), 100), Ok(None));
    }
}
