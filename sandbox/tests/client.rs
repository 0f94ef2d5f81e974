//! The videohub client against the sandbox: the end-to-end path a newcomer takes, and an
//! unknown submit outcome that must not be retried.

mod common;

use std::time::Duration;

use common::*;
use videohub::models::veo::Veo31;
use videohub::{Client, Error, PollPolicy, RetryPolicy};
use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec, SAMPLE_MP4, SandboxHandle};

fn client_for(sandbox: &SandboxHandle) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(sandbox.url())
        .retry(
            RetryPolicy::default()
                .max_retries(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn fast_poll() -> PollPolicy {
    PollPolicy::default()
        .initial_delay(Duration::from_millis(5))
        .backoff(1.0)
        .max_interval(Duration::from_millis(5))
        .deadline(Duration::from_secs(20))
}

#[tokio::test]
async fn the_client_generates_and_saves_a_video() {
    let sandbox = fast().start().await.expect("start");
    let client = client_for(&sandbox);
    let request = Veo31::builder()
        .prompt("a red fox trotting through fresh snow")
        .build();
    let output = client
        .generate_with(&request, fast_poll())
        .await
        .expect("a video");
    let video = output.file().expect("one video");
    assert_eq!(video.file_size(), Some(SAMPLE_MP4.len() as u64));

    let path = std::env::temp_dir().join(format!("videohub-sandbox-{}.mp4", std::process::id()));
    let written = output.save(&path).await.expect("saved");
    let saved = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    assert_eq!(written, SAMPLE_MP4.len() as u64);
    assert_eq!(saved, SAMPLE_MP4);

    let models = client
        .models(videohub::Capability::Video)
        .await
        .expect("the catalog");
    assert_eq!(models.len(), videohub::models::catalog().len());
    let veo = client.model("veo-3.1").await.expect("one model");
    assert!(veo.input_schema.is_some() && veo.example.is_some());

    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
    assert_eq!(counters.downloads, 1);
    assert_eq!(
        counters.authorized_downloads, 0,
        "the key never reaches the file origin"
    );
}

#[tokio::test]
async fn a_reset_after_submit_is_an_unknown_outcome_and_is_not_retried() {
    let spec = FaultSpec::always([FaultKind::ResetAfter]).on([FaultPoint::Submit]);
    let sandbox = slow_tasks().faults(spec).start().await.expect("start");
    let request = Veo31::builder().prompt("a fox").build();
    let error = client_for(&sandbox)
        .submit(&request)
        .await
        .expect_err("no answer");
    assert!(
        matches!(error, Error::SubmitOutcomeUnknown { .. }),
        "{error:?}"
    );
    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
}

#[tokio::test]
async fn retried_faults_end_in_one_task() {
    // 503 and 429 before processing are safe to retry: the client gets its task.
    // A seed whose first submit fails and second passes, and whose polls never fail four
    // times in a row (the client retries three times).
    let base: FaultSpec = "rate=0.2,kinds=503+429+429-bare,on=submit+poll,retry-after=0"
        .parse()
        .expect("spec");
    let spec = (0..1000)
        .map(|seed| base.clone().seed(seed))
        .find(|spec| {
            let poll = |i| spec.fault_for(FaultPoint::Poll, i).is_some();
            spec.fault_for(FaultPoint::Submit, 0).is_some()
                && spec.fault_for(FaultPoint::Submit, 1).is_none()
                && !(0..500).any(|i| (i..i + 4).all(poll))
        })
        .expect("such a seed");
    let sandbox = fast().faults(spec).start().await.expect("start");
    let request = Veo31::builder().prompt("a fox").build();
    let output = client_for(&sandbox)
        .generate_with(&request, fast_poll())
        .await
        .expect("a video after retries");
    assert!(output.file().is_some());
    let counters = sandbox.counters();
    assert!(counters.faults_injected > 0, "the seed does inject faults");
    assert!(
        counters.submits_received > 1,
        "the first submit failed and was retried"
    );
    assert_eq!(counters.tasks_created, 1);
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn truncated_downloads_resume_into_a_whole_file() {
    const SIZE: u64 = SAMPLE_MP4.len() as u64 + 300_000;
    const RETRIES: u32 = 8;
    // Three downloads in four are cut halfway. A seed whose first two tries are cut (two
    // resumes at least) and that lets one try through within the client's retries.
    let base: FaultSpec = "rate=0.75,kinds=truncated-download,on=download"
        .parse()
        .expect("spec");
    let spec = (0..1000)
        .map(|seed| base.clone().seed(seed))
        .find(|spec| {
            let cut = |i| spec.fault_for(FaultPoint::Download, i).is_some();
            cut(0) && cut(1) && !(0..=u64::from(RETRIES)).all(cut)
        })
        .expect("such a seed");
    let faulty = fast()
        .video_size(SIZE)
        .faults(spec)
        .start()
        .await
        .expect("start");
    let clean = fast().video_size(SIZE).start().await.expect("start");
    let request = Veo31::builder().prompt("a fox").build();
    let dir = tempfile_dir("resume");

    let reference = dir.join("reference.mp4");
    client_for(&clean)
        .generate_with(&request, fast_poll())
        .await
        .expect("a video")
        .save(&reference)
        .await
        .expect("an unfaulted download");

    let client = Client::builder()
        .api_key(KEY)
        .base_url(faulty.url())
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .download_retries(RETRIES)
        .build()
        .expect("client");
    let output = client
        .generate_with(&request, fast_poll())
        .await
        .expect("a video");
    let target = dir.join("resumed.mp4");
    let written = output.save(&target).await.expect("saved after resumes");
    assert_eq!(written, SIZE);
    let saved = std::fs::read(&target).expect("read back");
    let expected = std::fs::read(&reference).expect("read back");
    assert!(
        saved == expected,
        "the resumed file differs from an unfaulted download"
    );

    let counters = faulty.counters();
    assert!(counters.ranged_downloads >= 2, "{counters:?}");
    assert!(counters.downloads >= 3, "{counters:?}");
    assert_eq!(
        counters.authorized_downloads, 0,
        "the key never reaches the file origin"
    );
    assert_eq!(
        names_in(&dir),
        ["reference.mp4", "resumed.mp4"],
        "no partial or temporary file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_download_cut_on_every_try_fails_and_leaves_nothing() {
    let sandbox = fast()
        .faults(FaultSpec::always([FaultKind::TruncatedDownload]))
        .start()
        .await
        .expect("start");
    let client = Client::builder()
        .api_key(KEY)
        .base_url(sandbox.url())
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .download_retries(3)
        .build()
        .expect("client");
    let output = client
        .generate_with(&Veo31::builder().prompt("a fox").build(), fast_poll())
        .await
        .expect("a video");
    let dir = tempfile_dir("cut");
    let target = dir.join("cut.mp4");
    let error = output.save(&target).await.expect_err("every try is cut");
    assert!(
        matches!(error, Error::DownloadInterrupted { attempts: 4, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("after 4 attempt"), "{error}");
    let counters = sandbox.counters();
    assert_eq!(counters.downloads, 4);
    assert_eq!(counters.ranged_downloads, 3, "every retry resumed");
    assert_eq!(counters.authorized_downloads, 0);
    assert!(!target.exists());
    assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh directory of this test process under the system's temporary directory.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("videohub-sandbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}
