//! Outputs saved to object storage, against real stores no one here wrote, each test's own:
//! an S3-compatible server (moto) and Azure's emulator (Azurite), installed by
//! `scripts/test-stores.sh`. A video goes to the bucket as it was downloaded, in parts
//! (above 8 MiB) or whole, the upload completed only when the file is, aborted otherwise;
//! a missing bucket is told before anything is paid for; no credential is ever shown.

use std::time::Duration;

use futures::StreamExt;
use sha2::{Digest, Sha256};
use videohub::{Client, Error, ObjectUrl, Output, PollPolicy};
use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec, Sandbox, SandboxHandle};
use videohub_tests::stores::{ACCESS_KEY_ID, AzureServer, S3Server, SECRET_ACCESS_KEY};

/// Three parts of 8 MiB, the last one short.
const LARGE: u64 = (20 << 20) + 12_345;

async fn sandbox(video_size: u64, faults: FaultSpec) -> SandboxHandle {
    Sandbox::builder()
        .time_scale(0.001)
        .video_size(video_size)
        .faults(faults)
        .start()
        .await
        .expect("sandbox")
}

/// A client of `sandbox` whose stores are those `env` points at.
fn client(sandbox: &SandboxHandle, env: &[(&'static str, String)], retries: u32) -> Client {
    let mut builder = Client::builder()
        .api_key("sk-objects-test-key")
        .base_url(sandbox.url())
        .download_retries(retries);
    for (key, value) in env {
        builder = builder.storage_option(key.to_ascii_lowercase(), value);
    }
    builder.build().expect("client")
}

/// One generated video.
async fn generate(client: &Client) -> Output {
    let mut input = serde_json::Map::new();
    input.insert("prompt".into(), "a red fox in snow".into());
    client
        .submit_unchecked(videohub::Capability::Video.endpoint(), "veo-3.1", input)
        .await
        .expect("submitted")
        .wait_with(PollPolicy::default().initial_delay(Duration::from_millis(5)))
        .await
        .expect("finished")
}

/// The video's bytes, downloaded to a file.
async fn local_copy(output: &Output) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.mp4");
    output.save(&path).await.expect("saved locally");
    std::fs::read(path).unwrap()
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn assert_no_credential(text: &str) {
    for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY, "Test+Secret"] {
        assert!(!text.contains(secret), "a credential in: {text}");
    }
}

#[tokio::test]
async fn a_video_saved_to_s3_is_the_video_downloaded() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    let hub = sandbox(LARGE, FaultSpec::none()).await;
    let client = client(&hub, &s3.env(), 5);
    let output = generate(&client).await;

    let size = output.save("s3://renders/fleet/fox.mp4").await.unwrap();
    let small = generate(&client).await;
    let small_size = small.save("s3://renders/fleet/small.mp4").await.unwrap();

    let bytes = local_copy(&output).await;
    assert_eq!(size, LARGE);
    assert_eq!(s3.object("renders", "fleet/fox.mp4").await.unwrap(), bytes);
    let small_bytes = local_copy(&small).await;
    assert_eq!(small_size, small_bytes.len() as u64);
    assert_eq!(
        s3.object("renders", "fleet/small.mp4").await.unwrap(),
        small_bytes
    );
    assert_eq!(
        s3.keys("renders").await,
        ["fleet/fox.mp4", "fleet/small.mp4"]
    );
    assert!(s3.multipart_uploads("renders").await.is_empty());
    assert_eq!(hub.counters().tasks_created, 2);
    assert_no_credential(&format!("{client:?}"));
}

#[tokio::test]
async fn an_upload_started_beforehand_reports_the_object() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    let hub = sandbox(LARGE, FaultSpec::none()).await;
    let client = client(&hub, &s3.env(), 5);
    let output = generate(&client).await;
    let url: ObjectUrl = "s3://renders/jobs/fox.mp4".parse().unwrap();

    let upload = client.start_upload(&url).await.unwrap();
    assert_eq!(s3.multipart_uploads("renders").await, ["jobs/fox.mp4"]);
    let uploaded = output.file().unwrap().upload(&upload).await.unwrap();

    let bytes = local_copy(&output).await;
    assert_eq!(uploaded.url, url);
    assert_eq!(uploaded.size, LARGE);
    assert_eq!(uploaded.sha256, hex_sha256(&bytes));
    let info = client.object_info(&url).await.unwrap();
    assert_eq!(info.size, LARGE);
    assert_eq!(info.etag, uploaded.etag);
    assert!(uploaded.etag.is_some());
    assert!(s3.multipart_uploads("renders").await.is_empty());
    // Aborting a finished upload, as a sweep after a crash may, is no error.
    client.abort_upload(&upload).await.unwrap();
    assert_eq!(s3.object("renders", "jobs/fox.mp4").await.unwrap(), bytes);

    let read = client.read_object(&url, Some(10..20)).await.unwrap();
    assert_eq!((read.size, read.range.clone()), (LARGE, 10..20));
    let chunks: Vec<_> = read.into_stream().collect().await;
    let got: Vec<u8> = chunks.into_iter().flat_map(|c| c.unwrap()).collect();
    assert_eq!(got, bytes[10..20]);

    let copy: ObjectUrl = "s3://renders/again/fox.mp4".parse().unwrap();
    client.copy_object(&url, &copy).await.unwrap();
    assert_eq!(s3.object("renders", "again/fox.mp4").await.unwrap(), bytes);
}

#[tokio::test]
async fn a_missing_bucket_or_a_bad_key_is_told_before_anything_is_paid() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    let hub = sandbox(LARGE, FaultSpec::none()).await;
    let client = client(&hub, &s3.env(), 5);

    let good: ObjectUrl = "s3://renders/fleet/".parse().unwrap();
    client.check_object_destination(&good).await.unwrap();
    assert!(s3.keys("renders").await.is_empty(), "the probe is removed");

    let missing: ObjectUrl = "s3://no-such-bucket/fleet/fox.mp4".parse().unwrap();
    let error = client.check_object_destination(&missing).await.unwrap_err();
    assert!(
        matches!(error, Error::Storage { refused: true, .. }),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("no-such-bucket"), "{shown}");
    assert_no_credential(&shown);
    assert_eq!(hub.counters().submits_received, 0);

    let prefix = generate(&client)
        .await
        .save("s3://renders/fleet/")
        .await
        .unwrap_err();
    assert!(matches!(prefix, Error::BadDestination { .. }), "{prefix}");
}

#[tokio::test]
async fn a_cut_download_goes_on_into_the_same_upload() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    // The first answer ends after half its bytes, the second (a range) is whole.
    let half = FaultSpec::always([FaultKind::TruncatedDownload])
        .rate(0.5)
        .on([FaultPoint::Download]);
    let faults = (0..)
        .map(|seed| half.clone().seed(seed))
        .find(|spec| {
            spec.fault_for(FaultPoint::Download, 0).is_some()
                && spec.fault_for(FaultPoint::Download, 1).is_none()
        })
        .unwrap();
    let hub = sandbox(LARGE, faults).await;
    let client = client(&hub, &s3.env(), 20);
    let output = generate(&client).await;

    output.save("s3://renders/fox.mp4").await.unwrap();

    let bytes = local_copy(&output).await;
    assert_eq!(s3.object("renders", "fox.mp4").await.unwrap(), bytes);
    let counters = hub.counters();
    assert!(counters.faults_injected > 0, "{counters:?}");
    assert!(
        counters.ranged_downloads > 0,
        "resumed with ranges: {counters:?}"
    );
    assert!(s3.multipart_uploads("renders").await.is_empty());
}

#[tokio::test]
async fn a_download_that_fails_leaves_no_object_and_no_upload() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    // Every answer ends after half its bytes, and no try is left after the first: more
    // than a part was sent when it fails.
    let faults = FaultSpec::always([FaultKind::TruncatedDownload]).on([FaultPoint::Download]);
    let hub = sandbox(LARGE, faults).await;
    let client = client(&hub, &s3.env(), 0);
    let output = generate(&client).await;

    let error = output.save("s3://renders/fox.mp4").await.unwrap_err();

    assert!(
        matches!(error, Error::DownloadInterrupted { .. }),
        "{error}"
    );
    assert!(s3.keys("renders").await.is_empty());
    assert!(s3.multipart_uploads("renders").await.is_empty(), "aborted");
}

#[tokio::test]
async fn a_video_saved_to_azure_is_the_video_downloaded() {
    let azure = AzureServer::start();
    azure.create_container("renders");
    let hub = sandbox(LARGE, FaultSpec::none()).await;
    let client = client(&hub, &azure.env(), 5);
    let output = generate(&client).await;
    let url: ObjectUrl = "az://renders/fleet/fox.mp4".parse().unwrap();

    client.check_object_destination(&url).await.unwrap();
    let upload = client.start_upload(&url).await.unwrap();
    let uploaded = output.file().unwrap().upload(&upload).await.unwrap();

    let bytes = local_copy(&output).await;
    assert_eq!(uploaded.sha256, hex_sha256(&bytes));
    assert_eq!(
        azure.blob("renders", "fleet/fox.mp4"),
        (hex_sha256(&bytes), LARGE)
    );
    assert_eq!(azure.blobs("renders"), ["fleet/fox.mp4"], "no probe left");
    let missing: ObjectUrl = "az://no-such-container/fox.mp4".parse().unwrap();
    let error = client.check_object_destination(&missing).await.unwrap_err();
    assert!(
        matches!(error, Error::Storage { refused: true, .. }),
        "{error:?}"
    );
}
