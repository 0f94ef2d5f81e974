//! Downloads after network trouble: resumed with a range request, restarted from zero when
//! the host ignores ranges or answers them inconsistently, retried on 5xx and idle hosts,
//! given up after the bounded tries, never with the key, never leaving a partial file; a
//! part file kept by its caller continued with `If-Range`, from another process.

mod common;

use std::path::PathBuf;

use common::*;
use videohub_core::Error;
use wiremock::MockServer;

#[tokio::test]
async fn a_cut_download_resumes_with_a_range_request() {
    let body = file(LEN);
    let saved = save_through(cut_twice(&body), Some(LEN), 5).await;
    // The parts are in place.
    saved.assert_whole(&body);
    assert_eq!(saved.names(), ["v.mp4"], "no temporary file is left");

    let heads = saved.cdn.heads();
    assert_eq!(heads.len(), 3);
    assert_eq!(header_of(&heads[0], "range"), None);
    assert_eq!(header_of(&heads[1], "range"), Some("bytes=40000-"));
    assert_eq!(header_of(&heads[1], "if-range"), Some("\"v1\""));
    assert_eq!(header_of(&heads[2], "range"), Some("bytes=70000-"));
    assert_no_key(&saved.cdn);
}

#[tokio::test]
async fn if_range_carries_last_modified_without_an_etag() {
    let body = file(LEN);
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    // No file_size from the hub: the size is the first answer's Content-Length.
    let saved = save_through(
        vec![
            Conn::Reply(whole(
                &format!("accept-ranges: bytes\r\nlast-modified: {date}\r\n"),
                &body[..10_000],
            )),
            Conn::Reply(part("bytes 10000-99999/*", &body[10_000..])),
        ],
        None,
        5,
    )
    .await;
    saved.assert_whole(&body);
    assert_eq!(
        header_of(&saved.cdn.heads()[1], "if-range"),
        Some(date.to_ascii_lowercase().as_str())
    );
}

#[tokio::test]
async fn a_host_that_ignores_ranges_is_read_again_from_zero() {
    let body = file(LEN);
    // Ranges announced, then the resumed request gets the whole file with 200.
    let saved = save_through(
        vec![
            Conn::Reply(whole(RANGES, &body[..30_000])),
            Conn::Reply(whole(RANGES, &body)),
        ],
        Some(LEN),
        5,
    )
    .await;
    // The whole answer replaced the first part.
    saved.assert_whole(&body);
    let heads = saved.cdn.heads();
    assert_eq!(
        heads.len(),
        2,
        "the whole answer to the range request is used"
    );
    assert_eq!(header_of(&heads[1], "range"), Some("bytes=30000-"));
    assert_eq!(saved.names(), ["v.mp4"]);
    assert_no_key(&saved.cdn);
}

#[tokio::test]
async fn without_accept_ranges_a_retry_starts_from_zero() {
    let body = file(LEN);
    let saved = save_through(
        vec![
            Conn::Reply(whole("", &body[..30_000])),
            Conn::Reply(whole("", &body)),
        ],
        Some(LEN),
        5,
    )
    .await;
    saved.assert_whole(&body);
    let heads = saved.cdn.heads();
    assert_eq!(heads.len(), 2);
    assert_eq!(
        header_of(&heads[1], "range"),
        None,
        "no range was announced"
    );
}

#[tokio::test]
async fn inconsistent_parts_restart_the_download_from_zero() {
    let body = file(LEN);
    for bad in [
        part("bytes 20000-99999/100000", &body[20_000..]), // not where the file stopped
        part("bytes 40000-119999/120000", &[7u8; 80_000]), // another size
        part("garbage", &body[40_000..]),
        status(416),
    ] {
        let saved = save_through(
            vec![
                Conn::Reply(whole(RANGES, &body[..40_000])),
                Conn::Reply(bad),
                Conn::Reply(whole(RANGES, &body)),
            ],
            Some(LEN),
            5,
        )
        .await;
        saved.assert_whole(&body);
        let heads = saved.cdn.heads();
        assert_eq!(heads.len(), 3);
        assert_eq!(header_of(&heads[1], "range"), Some("bytes=40000-"));
        assert_eq!(
            header_of(&heads[2], "range"),
            None,
            "after an inconsistent part, the whole file"
        );
    }
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    let body = file(LEN);
    let saved = save_through(
        vec![
            Conn::Reply(status(503)),
            Conn::Reply(status(429)),
            Conn::Reply(status(408)),
            Conn::Reply(whole(RANGES, &body)),
        ],
        Some(LEN),
        5,
    )
    .await;
    saved.assert_whole(&body);
    assert_eq!(saved.cdn.count(), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for code in [403, 404, 410] {
        let saved = save_through(vec![Conn::Reply(status(code))], Some(LEN), 5).await;
        let error = saved.error();
        assert!(
            matches!(error, Error::DownloadStatus { status } if *status == code),
            "{error:?}"
        );
        assert_eq!(saved.cdn.count(), 1, "{code} is not retried");
        assert!(saved.names().is_empty());
    }
}

#[tokio::test]
async fn an_idle_download_resumes() {
    let body = file(LEN);
    let saved = save_through(
        vec![
            Conn::ReplyThenHang(whole(RANGES, &body[..50_000])),
            Conn::Reply(part("bytes 50000-99999/100000", &body[50_000..])),
        ],
        Some(LEN),
        5,
    )
    .await;
    saved.assert_whole(&body);
    assert_eq!(
        header_of(&saved.cdn.heads()[1], "range"),
        Some("bytes=50000-")
    );
}

#[tokio::test]
async fn a_download_that_keeps_failing_gives_up_and_leaves_nothing() {
    let body = file(LEN);
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("other.txt"), b"kept").expect("write");
    // Every answer is a part that stops short: progress each time, never the end.
    let saved = save_into(
        dir,
        vec![
            Conn::Reply(whole(RANGES, &body[..10_000])),
            Conn::Reply(part("bytes 10000-99999/100000", &body[10_000..20_000])),
            Conn::Reply(part("bytes 20000-99999/100000", &body[20_000..30_000])),
            Conn::Reply(status(502)),
        ],
        Some(LEN),
        3,
    )
    .await;
    let error = saved.error();
    match error {
        Error::DownloadInterrupted {
            attempts,
            received,
            source,
        } => {
            assert_eq!((*attempts, *received), (4, 30_000));
            assert!(
                matches!(**source, Error::DownloadStatus { status: 502 }),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_transient());
    assert_eq!(error.status(), Some(502));
    assert_eq!(saved.cdn.count(), 4, "one try and three retries");
    assert!(!saved.target.exists());
    assert_eq!(
        saved.names(),
        ["other.txt"],
        "the temporary file is removed"
    );
    assert_no_key(&saved.cdn);
}

#[tokio::test]
async fn without_any_announced_size_a_short_part_is_not_taken_for_the_end() {
    let body = file(LEN);
    // Chunked, no size from the hub nor the host; cut in the middle.
    let mut first = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\naccept-ranges: bytes\r\netag: \"v1\"\r\nconnection: close\r\n\r\n".to_vec();
    first.extend_from_slice(format!("{:x}\r\n", 10_000).as_bytes());
    first.extend_from_slice(&body[..10_000]);
    first.extend_from_slice(b"\r\n");
    let saved = save_through(
        vec![
            Conn::Reply(first),
            // The part says it runs to the end of the file but stops after 10,000 bytes.
            Conn::Reply(part("bytes 10000-99999/*", &body[10_000..20_000])),
            Conn::Reply(part("bytes 20000-99999/*", &body[20_000..])),
        ],
        None,
        5,
    )
    .await;
    saved.assert_whole(&body);
    let heads = saved.cdn.heads();
    assert_eq!(heads.len(), 3);
    assert_eq!(header_of(&heads[2], "range"), Some("bytes=20000-"));
}

/// A download into a kept part file holding `held` (the first bytes of the file), through
/// a file host answering with `conns`; returns the result, the validators reported, the
/// part, the target and what the host received.
async fn continue_part(
    conns: Vec<Conn>,
    held: &[u8],
    validator: Option<&str>,
    retries: u32,
) -> (
    Result<u64, Error>,
    Vec<String>,
    PathBuf,
    PathBuf,
    RawServer,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("v.mp4");
    let part = videohub_core::__private::create_part_file(&target).expect("part");
    std::fs::write(&part, held).expect("held");
    let cdn = RawServer::start(conns).await;
    let hub = MockServer::start().await;
    let output = output_for(&hub, &format!("{}/v.mp4", cdn.base), Some(LEN), retries).await;
    let mut seen = Vec::new();
    let result = output
        .file()
        .expect("a file")
        .save_continuing(&target, &part, validator, |v| seen.push(v.to_owned()))
        .await;
    (result, seen, part, target, cdn, dir)
}

#[tokio::test]
async fn a_kept_part_file_is_continued_with_if_range_and_renamed_into_place() {
    let body = file(LEN);
    let (result, seen, part, target, cdn, dir) = continue_part(
        vec![Conn::Reply(part(
            "bytes 40000-99999/100000",
            &body[40_000..],
        ))],
        &body[..40_000],
        Some("\"v1\""),
        0,
    )
    .await;
    assert_eq!(result.expect("saved"), LEN as u64);
    assert!(std::fs::read(&target).expect("read") == body);
    assert!(!part.exists());
    assert_eq!(names(dir.path()), ["v.mp4"]);
    let heads = cdn.heads();
    assert_eq!(header_of(&heads[0], "range"), Some("bytes=40000-"));
    assert_eq!(header_of(&heads[0], "if-range"), Some("\"v1\""));
    assert!(seen.is_empty(), "no whole answer: {seen:?}");
    assert_no_key(&cdn);
}

#[tokio::test]
async fn a_kept_part_of_a_changed_file_is_written_again_from_zero() {
    let body = file(LEN);
    let stale = vec![7u8; 40_000];
    // The host's file is no longer the version the part came from: a whole 200.
    let (result, seen, _part, target, _cdn, _dir) = continue_part(
        vec![Conn::Reply(whole(RANGES, &body))],
        &stale,
        Some("\"v0\""),
        0,
    )
    .await;
    assert_eq!(result.expect("saved"), LEN as u64);
    assert!(std::fs::read(&target).expect("read") == body);
    assert_eq!(seen, ["\"v1\""], "the new validator is reported");
}

#[tokio::test]
async fn a_kept_part_without_a_validator_starts_over_and_stays_after_a_failure() {
    let body = file(LEN);
    let (result, _seen, part, target, cdn, _dir) = continue_part(
        vec![Conn::Reply(whole(RANGES, &body[..30_000]))],
        &body[..10_000],
        None,
        0,
    )
    .await;
    assert!(
        matches!(result, Err(Error::DownloadInterrupted { .. })),
        "{result:?}"
    );
    assert_eq!(header_of(&cdn.heads()[0], "range"), None, "from zero");
    assert!(!target.exists());
    assert_eq!(
        std::fs::read(&part).expect("kept for the next process"),
        &body[..30_000]
    );
}

/// Without the `object-store` feature an object URL is refused by name, before any request:
/// never taken for a folder called `s3:`.
#[cfg(not(feature = "object-store"))]
#[tokio::test]
async fn an_object_url_needs_the_object_store_feature() {
    let client = videohub_core::Client::new("sk-test-key-0123456789").unwrap();
    let answer = serde_json::json!({"id": "t-1", "status": "completed",
        "data": {"video": {"url": "https://cdn.invalid/v.mp4"}}});
    let output = videohub_core::TaskState::from_json(answer)
        .unwrap()
        .into_output(&client, "t-1")
        .unwrap();
    let error = output.save("s3://bucket/fox.mp4").await.unwrap_err();
    assert!(
        matches!(&error, Error::BadDestination { reason, .. } if reason.contains("object-store")),
        "{error}"
    );
    assert!(!std::path::Path::new("s3:").exists(), "no folder `s3:`");
}
