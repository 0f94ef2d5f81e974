//! Downloads: the file saved without the key, and nothing under the final name when the
//! download fails.

use serde_json::json;
use videohub_core::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::{completed, mount_task_sequence};

fn file_names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn a_video_is_saved_without_the_key_reaching_the_download_host() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    let bytes = b"\x00\x00\x00\x18ftypmp42 fake video bytes".to_vec();
    Mock::given(method("GET"))
        .and(path("/files/fox.mp4"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(bytes.clone()))
        .expect(1)
        .mount(&cdn)
        .await;
    let url = format!("{}/files/fox.mp4", cdn.uri());
    mount_task_sequence(
        &hub,
        "dl",
        vec![completed(
            "dl",
            json!({"video": {"url": url, "file_size": bytes.len()}}),
        )],
    )
    .await;

    let output = client(&hub.uri())
        .task_by_id("dl")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("fox.mp4");
    let written = output.save(&target).await.expect("saved");
    assert_eq!(written, bytes.len() as u64);
    assert_eq!(std::fs::read(&target).expect("read"), bytes);
    assert_eq!(
        file_names(dir.path()),
        ["fox.mp4"],
        "no temporary file is left"
    );

    let hub_requests = hub.received_requests().await.expect("recording");
    assert!(
        hub_requests
            .iter()
            .all(|r| r.headers.get("authorization").is_some())
    );
    let cdn_requests = cdn.received_requests().await.expect("recording");
    assert_eq!(cdn_requests.len(), 1);
    assert!(
        cdn_requests[0].headers.get("authorization").is_none(),
        "the key reached the download host"
    );
    let all_headers = format!("{:?}", cdn_requests[0].headers);
    assert!(!all_headers.contains(KEY));
}

#[tokio::test]
async fn a_short_download_leaves_no_file_under_the_final_name() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/short.mp4"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![7u8; 10]))
        .mount(&cdn)
        .await;
    let url = format!("{}/short.mp4", cdn.uri());
    mount_task_sequence(
        &hub,
        "s",
        vec![completed(
            "s",
            json!({"video": {"url": url, "file_size": 20}}),
        )],
    )
    .await;
    let output = client(&hub.uri())
        .task_by_id("s")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("short.mp4");
    let error = output.save(&target).await.expect_err("short");
    assert!(
        matches!(
            error,
            Error::DownloadIncomplete {
                expected: 20,
                received: 10
            }
        ),
        "{error:?}"
    );
    assert!(!target.exists());
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );
}

#[tokio::test]
async fn a_body_truncated_on_every_try_leaves_no_file_under_the_final_name() {
    let mut reply = b"HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n".to_vec();
    reply.extend_from_slice(&crate::common::file(5000));
    let cdn = RawServer::start(vec![Conn::Reply(reply)]).await;
    let hub = MockServer::start().await;
    let url = format!("{}/cut.mp4", cdn.base);
    mount_task_sequence(
        &hub,
        "cut",
        vec![completed("cut", json!({"video_url": url}))],
    )
    .await;
    let output = client(&hub.uri())
        .task_by_id("cut")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("cut.mp4");
    std::fs::write(dir.path().join("other.txt"), b"kept").expect("write");
    let error = output.save(&target).await.expect_err("truncated");
    // Every try is cut (the default 5 retries): the last cause comes with the count.
    assert!(
        matches!(
            &error,
            Error::DownloadInterrupted { attempts: 6, source, .. }
                if matches!(**source, Error::Transport(_) | Error::DownloadIncomplete { .. })
        ),
        "{error:?}"
    );
    assert_eq!(cdn.count(), 6);
    assert!(!target.exists());
    assert_eq!(file_names(dir.path()), ["other.txt"]);
}

#[tokio::test]
async fn a_failed_download_status_is_an_error() {
    let hub = MockServer::start().await;
    let cdn = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&cdn)
        .await;
    let url = format!("{}/expired.mp4", cdn.uri());
    mount_task_sequence(&hub, "e", vec![completed("e", json!({"video_url": url}))]).await;
    let output = client(&hub.uri())
        .task_by_id("e")
        .wait_with(fast_poll())
        .await
        .expect("done");
    let dir = tempfile::tempdir().expect("dir");
    let error = output
        .save(dir.path().join("e.mp4"))
        .await
        .expect_err("403");
    assert!(
        matches!(error, Error::DownloadStatus { status: 403 }),
        "{error:?}"
    );
    assert!(file_names(dir.path()).is_empty());
}
