//! What a download must be before it is saved: reached only through URLs that obey the
//! rules (every redirect hop included), not empty, within the size limit, and a file of the
//! kind the task yields. What the hub sends back never carries the key.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use videohub_core::{Client, Error, Media};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `302` to `location`.
fn redirect(location: &str) -> Conn {
    Conn::Reply(
        format!(
            "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .into_bytes(),
    )
}

/// A `200` carrying `body`, announcing its length or not.
fn body(body: &[u8], announce_length: bool) -> Conn {
    let length = if announce_length {
        format!("content-length: {}\r\n", body.len())
    } else {
        String::new()
    };
    let mut reply = format!("HTTP/1.1 200 OK\r\n{length}connection: close\r\n\r\n").into_bytes();
    reply.extend_from_slice(body);
    Conn::Reply(reply)
}

/// Saves the task's `media` file served by `conns` (with the hub's `file_size` when
/// given) through a client whose download limit is `max_size`.
async fn save(conns: Vec<Conn>, media: Media, file_size: Option<usize>, max_size: u64) -> Saved {
    let cdn = RawServer::start(conns).await;
    let hub = MockServer::start().await;
    let mut file = json!({"url": format!("{}/f", cdn.base)});
    if let Some(size) = file_size {
        file["file_size"] = json!(size);
    }
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/t"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"task_id": "t", "status": "completed", "ready": true, "data": {media.as_str(): file}}),
        ))
        .mount(&hub)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(hub.uri())
        .retry(fast_retry())
        .download_retries(2)
        .download_idle_timeout(Duration::from_secs(2))
        .max_download_size(max_size)
        .build()
        .expect("client");
    let output = client
        .task_by_id("t")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("out");
    let result = output.files()[0].save(&target).await;
    Saved {
        result,
        target,
        dir,
        cdn,
    }
}

/// Nothing at the target, no temporary file beside it.
fn assert_nothing_left(saved: &Saved) {
    assert!(!saved.target.exists(), "{:?}", saved.result);
    assert!(saved.names().is_empty(), "{:?}", saved.names());
}

const BIG: u64 = 1 << 30;

#[tokio::test]
async fn empty_html_and_oversize_bodies_are_refused_and_leave_nothing() {
    let html = b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>";
    let cases: Vec<(&str, Saved)> = vec![
        (
            "empty",
            save(vec![body(b"", true)], Media::Video, None, BIG).await,
        ),
        (
            "empty, no length",
            save(vec![body(b"", false)], Media::Video, None, BIG).await,
        ),
        (
            "html",
            save(vec![body(html, true)], Media::Video, None, BIG).await,
        ),
        (
            "png for a video",
            save(vec![body(SAMPLE_PNG_HEAD, true)], Media::Video, None, BIG).await,
        ),
        (
            "mp4 for an image",
            save(vec![body(&file(4000), true)], Media::Image, None, BIG).await,
        ),
        (
            "past the limit, no length",
            save(vec![body(&file(5000), false)], Media::Video, None, 4000).await,
        ),
        (
            "announced past the limit",
            save(vec![body(&file(5000), true)], Media::Video, None, 4000).await,
        ),
        (
            "hub size past the limit",
            save(
                vec![body(&file(5000), false)],
                Media::Video,
                Some(5000),
                4000,
            )
            .await,
        ),
        (
            "past the hub's size",
            save(
                vec![body(&file(5000), false)],
                Media::Video,
                Some(3000),
                BIG,
            )
            .await,
        ),
    ];
    for (case, saved) in &cases {
        let error = saved.error();
        let expected = match *case {
            "empty" | "empty, no length" => matches!(error, Error::DownloadEmpty { .. }),
            "html" => {
                matches!(error, Error::NotMedia { media: Media::Video, found, .. } if found.contains("<!DOCTYPE"))
            }
            "png for a video" => {
                matches!(error, Error::NotMedia { found, .. } if found.contains("PNG"))
            }
            "mp4 for an image" => matches!(
                error,
                Error::NotMedia {
                    media: Media::Image,
                    ..
                }
            ),
            "past the hub's size" => {
                matches!(error, Error::DownloadIncomplete { expected: 3000, .. })
            }
            _ => matches!(error, Error::DownloadTooLarge { limit: 4000, .. }),
        };
        assert!(expected, "{case}: {error:?}");
        if !matches!(error, Error::DownloadIncomplete { .. }) {
            assert!(
                error.to_string().contains(&saved.cdn.base),
                "{case}: the URL is kept: {error}"
            );
        }
        assert_eq!(saved.cdn.count(), 1, "{case}: not tried again");
        assert_nothing_left(saved);
    }
    // The same files of the right kind are saved.
    let ok = save(vec![body(&file(5000), false)], Media::Video, None, 5000).await;
    ok.assert_whole(&file(5000));
    let png = save(vec![body(SAMPLE_PNG_HEAD, true)], Media::Image, None, BIG).await;
    png.assert_whole(SAMPLE_PNG_HEAD);
}

const SAMPLE_PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn a_redirect_that_breaks_the_url_rules_is_not_followed() {
    // Addresses nothing listens on: the refusal, not a failed connection, ends the download.
    for location in [
        "http://192.0.2.10/v.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/v.mp4",
        "file:///etc/passwd",
    ] {
        let saved = save(vec![redirect(location)], Media::Video, None, BIG).await;
        let error = saved.error();
        assert!(
            matches!(error, Error::UrlRefused { url, .. } if url.starts_with(&location[..12])),
            "{location}: {error:?}"
        );
        assert_eq!(saved.cdn.count(), 1, "{location}: not tried again");
        assert_nothing_left(&saved);
    }
}

#[tokio::test]
async fn at_most_five_redirects_are_followed() {
    let loops = save(vec![redirect("/again")], Media::Video, None, BIG).await;
    assert!(
        matches!(loops.error(), Error::UrlRefused { reason, .. } if reason.contains("more than 5 redirects")),
        "{:?}",
        loops.error()
    );
    assert_eq!(loops.cdn.count(), 6, "the first request and five hops");
    assert_nothing_left(&loops);

    let mut five = vec![
        redirect("/1"),
        redirect("/2"),
        redirect("/3"),
        redirect("/4"),
        redirect("/5"),
    ];
    five.push(body(&file(3000), true));
    let saved = save(five, Media::Video, None, BIG).await;
    saved.assert_whole(&file(3000));
    assert_no_key(&saved.cdn);
}

#[tokio::test]
async fn an_api_call_redirected_to_another_origin_carries_no_key() {
    let other = RawServer::start(vec![Conn::Reply(json_reply(
        200,
        r#"{"task_id": "t", "status": "processing", "ready": false}"#,
    ))])
    .await;
    let hub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/t"))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/hub/v1/tasks/t", other.base).as_str(),
        ))
        .mount(&hub)
        .await;
    let state = client(&hub.uri())
        .task_by_id("t")
        .status()
        .await
        .expect("followed");
    assert_eq!(state.status.to_string(), "processing");
    assert_eq!(other.count(), 1);
    assert_no_key(&other);

    // A hop to an address the rules refuse ends the call, untried again.
    let hub = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "http://169.254.169.254/x"),
        )
        .mount(&hub)
        .await;
    let error = client(&hub.uri())
        .task_by_id("t")
        .status()
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::UrlRefused { .. }), "{error:?}");
    assert_eq!(hub.received_requests().await.expect("recorded").len(), 1);
}

#[tokio::test]
async fn a_hub_that_echoes_the_key_has_it_removed_from_every_message() {
    let hub = MockServer::start().await;
    let echo =
        format!(r#"{{"message": "invalid credentials: Authorization: Bearer {KEY} (key {KEY})"}}"#);
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/bad"))
        .respond_with(ResponseTemplate::new(401).set_body_string(echo.clone()))
        .mount(&hub)
        .await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/odd"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("not json {KEY}")))
        .mount(&hub)
        .await;
    Mock::given(method("GET"))
        .and(path("/hub/v1/tasks/failed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "task_id": "failed", "status": "failed", "ready": true,
            "error_message": format!("upstream said: bearer {KEY}")
        })))
        .mount(&hub)
        .await;
    let client = client(&hub.uri());
    let logs = LogCapture::default();
    let _guard = logs.install();
    for id in ["bad", "odd", "failed"] {
        let error = client
            .task_by_id(id)
            .wait_with(fast_poll())
            .await
            .expect_err("an error");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(KEY), "{id}: {shown}");
            assert!(!shown.contains("SECRET"), "{id}: {shown}");
        }
        assert!(error.to_string().contains("[redacted]"), "{id}: {error}");
    }
    assert!(!logs.text().contains("SECRET"), "{}", logs.text());
}
