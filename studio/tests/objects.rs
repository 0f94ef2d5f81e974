//! The studio saving to a bucket of an S3 server (moto, installed by
//! `scripts/test-stores.sh`): a generation saved under the prefix, shown, and played
//! through the studio from the store, whole and in ranges.

#![cfg(feature = "object-store")]

mod common;

use common::Setup;
use serde_json::json;
use videohub_tests::stores::{ACCESS_KEY_ID, S3Server, SECRET_ACCESS_KEY};

#[tokio::test]
async fn a_video_saved_to_a_bucket_is_played_through_the_studio_in_ranges() {
    let s3 = S3Server::start();
    s3.create_bucket("renders").await;
    let setup = Setup::saving_to("s3://renders/studio/", s3.env()).await;

    let (status, job) = setup
        .post(
            "/api/generate",
            json!({"model": "veo-3.1", "input": {"prompt": "a fox", "duration": "4s"}}),
        )
        .await;
    assert_eq!(status, 201, "{job}");
    let job = setup.settled(job["id"].as_str().unwrap()).await;

    assert_eq!(job["state"], "downloaded", "{job}");
    assert_eq!(job["problem"], serde_json::Value::Null, "{job}");
    let path = job["file_path"].as_str().unwrap();
    assert!(path.starts_with("s3://renders/studio/"), "{job}");
    let key = path.trim_start_matches("s3://renders/");
    let video = videohub_sandbox::SAMPLE_MP4;
    assert_eq!(s3.object("renders", key).await.unwrap(), video);
    let url = setup.url(job["video_url"].as_str().unwrap());
    let whole = setup.http.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(&whole.bytes().await.unwrap()[..], video);
    let part = setup
        .http
        .get(&url)
        .header("range", "bytes=4-11")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    let total = video.len();
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 4-11/{total}").as_str()
    );
    assert_eq!(&part.bytes().await.unwrap()[..], &video[4..12]);
    let past = setup
        .http
        .get(&url)
        .header("range", format!("bytes={total}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), 416);
    let shown = setup.get("/api/jobs").await.1.to_string();
    for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
