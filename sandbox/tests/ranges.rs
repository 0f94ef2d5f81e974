//! Byte ranges on the file origin: `206` with the matching slice, `416` past the end,
//! `If-Range`, and the truncated-download fault on a part.

mod common;

use common::*;
use videohub_sandbox::{FaultKind, FaultSpec, SAMPLE_MP4, SandboxHandle};

/// A video past the fixture, so that ranges cross from the fixture into the padding.
const SIZE: u64 = SAMPLE_MP4.len() as u64 + 100_000;

/// The URL of a finished task's video.
async fn video_url(sandbox: &SandboxHandle) -> String {
    let task_id = submit_ok(sandbox, &veo_input()).await;
    let done = poll_until_ready(sandbox, &task_id)
        .await
        .pop()
        .expect("answer");
    done["data"]["video"]["url"]
        .as_str()
        .expect("url")
        .to_owned()
}

async fn ranged(url: &str, range: &str) -> reqwest::Response {
    client()
        .get(url)
        .header("range", range)
        .send()
        .await
        .expect("an answer")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .expect("text")
}

#[tokio::test]
async fn ranges_get_206_and_the_matching_slice_of_the_file() {
    let sandbox = fast().video_size(SIZE).start().await.expect("start");
    let url = video_url(&sandbox).await;

    let whole = client().get(&url).send().await.expect("download");
    assert_eq!(whole.status(), 200);
    assert_eq!(header(&whole, "accept-ranges"), "bytes");
    let etag = header(&whole, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let whole = whole.bytes().await.expect("the whole file");
    assert_eq!(whole.len() as u64, SIZE);
    assert_eq!(&whole[..SAMPLE_MP4.len()], SAMPLE_MP4);

    let fixture = SAMPLE_MP4.len() as u64;
    let cases = [
        (0, None),
        (1, None),
        (fixture - 5, None),
        (fixture, None),
        (fixture + 6, None),
        (SIZE - 1, None),
        (10, Some(19)),
        (fixture - 2, Some(fixture + 20)),
        (SIZE - 3, Some(SIZE + 1000)),
    ];
    for (first, last) in cases {
        let range = match last {
            Some(last) => format!("bytes={first}-{last}"),
            None => format!("bytes={first}-"),
        };
        let response = ranged(&url, &range).await;
        assert_eq!(response.status(), 206, "{range}");
        let end = last.map_or(SIZE - 1, |last| last.min(SIZE - 1));
        assert_eq!(
            header(&response, "content-range"),
            format!("bytes {first}-{end}/{SIZE}"),
            "{range}"
        );
        assert_eq!(response.content_length(), Some(end - first + 1), "{range}");
        assert_eq!(header(&response, "etag"), etag, "{range}");
        let part = response.bytes().await.expect("the part");
        assert_eq!(
            part.as_ref(),
            &whole[first as usize..=end as usize],
            "{range}"
        );
    }

    // The same version named by If-Range: a part; another version: the whole file.
    let same = client()
        .get(&url)
        .header("range", "bytes=100-")
        .header("if-range", &etag)
        .send()
        .await
        .expect("answer");
    assert_eq!(same.status(), 206);
    let other = client()
        .get(&url)
        .header("range", "bytes=100-")
        .header("if-range", "\"another-version\"")
        .send()
        .await
        .expect("answer");
    assert_eq!(other.status(), 200);
    assert_eq!(other.bytes().await.expect("whole").as_ref(), whole.as_ref());

    // Forms the origin does not serve are ignored: the whole file.
    let suffix = ranged(&url, "bytes=-10").await;
    assert_eq!(suffix.status(), 200);
    assert_eq!(suffix.content_length(), Some(SIZE));

    let counters = sandbox.counters();
    assert_eq!(counters.ranged_downloads, cases.len() as u64 + 1);
    assert_eq!(counters.downloads, cases.len() as u64 + 4);
    assert_eq!(counters.authorized_downloads, 0);
}

#[tokio::test]
async fn ranges_past_the_end_get_416() {
    let sandbox = fast().start().await.expect("start");
    let url = video_url(&sandbox).await;
    let total = SAMPLE_MP4.len();
    for range in [
        format!("bytes={total}-"),
        format!("bytes={}-{}", total + 5, total + 9),
    ] {
        let response = ranged(&url, &range).await;
        assert_eq!(response.status(), 416, "{range}");
        assert_eq!(
            header(&response, "content-range"),
            format!("bytes */{total}"),
            "{range}"
        );
    }
    assert_eq!(sandbox.counters().ranged_downloads, 0);
    // The fixture-sized file is served in parts too.
    let last = ranged(&url, &format!("bytes={}-", total - 4)).await;
    assert_eq!(last.status(), 206);
    assert_eq!(
        last.bytes().await.expect("part").as_ref(),
        &SAMPLE_MP4[total - 4..]
    );
    assert_eq!(sandbox.counters().ranged_downloads, 1);
}

#[tokio::test]
async fn a_truncated_part_stops_halfway_through_the_part() {
    let sandbox = fast()
        .video_size(SIZE)
        .faults(FaultSpec::always([FaultKind::TruncatedDownload]))
        .start()
        .await
        .expect("start");
    let url = video_url(&sandbox).await;
    let from = 60_000;
    let response = ranged(&url, &format!("bytes={from}-")).await;
    assert_eq!(response.status(), 206);
    assert_eq!(response.content_length(), Some(SIZE - from));
    assert!(response.bytes().await.is_err(), "the part ends short");

    // Raw: half of the part, then the connection closes.
    let path = url.trim_start_matches(sandbox.download_url());
    let outcome = raw_range(sandbox.download_addr(), path, from).await;
    let head_end = outcome
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers")
        + 4;
    let head = String::from_utf8_lossy(&outcome[..head_end]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 206"), "{head}");
    assert_eq!(outcome.len() - head_end, ((SIZE - from) / 2) as usize);
    assert_eq!(sandbox.counters().ranged_downloads, 2);
}

/// `GET path` with `Range: bytes=from-` over plain TCP, read until the server closes.
async fn raw_range(addr: std::net::SocketAddr, path: &str, from: u64) -> Vec<u8> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nRange: bytes={from}-\r\nConnection: close\r\n\r\n"
    );
    raw_exchange(addr, &request).await.received
}
