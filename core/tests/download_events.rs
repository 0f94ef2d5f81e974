//! The tracing event of a resumed download, alone in its test binary: `tracing` caches
//! whether an event is wanted per call site, which a test capturing logs on one thread
//! cannot rely on while other tests run on others.

mod common;

use common::*;

#[tokio::test]
async fn each_resumed_try_is_logged() {
    let body = file(LEN);
    let logs = LogCapture::default();
    let _guard = logs.install();
    let saved = save_through(cut_twice(&body), Some(LEN), 5).await;
    saved.assert_whole(&body);
    let text = logs.text();
    let resumed: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("resuming the download"))
        .collect();
    assert_eq!(resumed.len(), 2, "one event per resumed try: {text}");
    assert!(resumed[0].contains("from=40000"), "{}", resumed[0]);
    assert!(resumed[1].contains("from=70000"), "{}", resumed[1]);
}
