//! The fields of the client's spans, in OpenTelemetry's names, that a trace exporter or a
//! metrics layer in the binary reads: each request's method and status (polls at debug
//! level, submits at info), the download's host, bytes and attempts.

use serde_json::json;
use videohub_core::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{completed, mount_submit, mount_task_sequence};

#[tokio::test]
async fn requests_and_downloads_carry_their_method_status_bytes_and_attempts() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    let bytes = b"\x00\x00\x00\x18ftypmp42 fake video bytes".to_vec();
    Mock::given(method("GET"))
        .and(path("/files/span.mp4"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(bytes.clone()))
        .mount(&cdn)
        .await;
    let url = format!("{}/files/span.mp4", cdn.uri());
    mount_submit(&hub, json!({"taskId": "span"})).await;
    mount_task_sequence(
        &hub,
        "span",
        vec![completed(
            "span",
            json!({"video": {"url": url, "file_size": bytes.len()}}),
        )],
    )
    .await;

    let task = client(&hub.uri()).submit(&demo()).await.expect("submitted");
    let output = task.wait_with(fast_poll()).await.expect("done");
    let dir = tempfile::tempdir().expect("dir");
    output
        .save(dir.path().join("span.mp4"))
        .await
        .expect("saved");

    let text = logs.text();
    let closed = |level: &str, span: &str, fields: &[&str]| {
        text.lines().any(|line| {
            line.contains(level)
                && line.contains(&format!("{span}{{"))
                && line.contains("close")
                && fields.iter().all(|field| line.contains(field))
        })
    };
    assert!(
        closed(
            "INFO",
            "videohub.request",
            &[
                "http.request.method=\"POST\"",
                "http.response.status_code=200",
                "otel.kind=\"client\"",
                "url.path=/hub/v1/video",
            ]
        ),
        "the submit's span: {text}"
    );
    assert!(
        closed(
            "DEBUG",
            "videohub.request",
            &[
                "http.request.method=\"GET\"",
                "http.response.status_code=200"
            ]
        ),
        "a poll's span, at debug level: {text}"
    );
    assert!(
        closed(
            "INFO",
            "videohub.download",
            &[
                &format!("bytes={}", bytes.len()),
                "attempts=1",
                "server.address="
            ]
        ),
        "the download's span: {text}"
    );
}

#[tokio::test]
async fn an_interrupted_download_carries_the_bytes_and_attempts_it_made() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let mut cut = b"HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n".to_vec();
    cut.extend_from_slice(&file(5000));
    // Cut on every try: the first and 5 retries.
    let saved = save_through(vec![Conn::Reply(cut)], None, 5).await;
    assert!(matches!(saved.error(), Error::DownloadInterrupted { .. }));

    let text = logs.text();
    let closed = text.lines().find(|line| {
        line.contains("videohub.download{") && line.contains("close") && line.contains("attempts=")
    });
    let closed = closed.unwrap_or_else(|| panic!("the download's span closed: {text}"));
    assert!(closed.contains("attempts=6"), "every try counted: {closed}");
    assert!(
        closed.contains("bytes=5000"),
        "what the part holds: {closed}"
    );
}
