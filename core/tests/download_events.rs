//! The tracing event of a resumed download, alone in its test binary: `tracing` caches
//! whether an event is wanted per call site, which a test capturing logs on one thread
//! cannot rely on while other tests run on others.

mod common;

use common::*;
use wiremock::MockServer;

#[tokio::test]
async fn each_resumed_try_is_logged() {
    let body = file(LEN);
    let cdn = RawServer::start(vec![
        Conn::Reply(whole(RANGES, &body[..40_000])),
        Conn::Reply(part("bytes 40000-99999/100000", &body[40_000..70_000])),
        Conn::Reply(part("bytes 70000-99999/100000", &body[70_000..])),
    ])
    .await;
    let hub = MockServer::start().await;
    let logs = LogCapture::default();
    let _guard = logs.install();
    let output = output_for(&hub, &format!("{}/v.mp4", cdn.base), Some(LEN), 5).await;
    let dir = tempfile::tempdir().expect("dir");
    output.save(dir.path().join("v.mp4")).await.expect("saved");
    let text = logs.text();
    let resumed: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("resuming the download"))
        .collect();
    assert_eq!(resumed.len(), 2, "one event per resumed try: {text}");
    assert!(resumed[0].contains("from=40000"), "{}", resumed[0]);
    assert!(resumed[1].contains("from=70000"), "{}", resumed[1]);
}
