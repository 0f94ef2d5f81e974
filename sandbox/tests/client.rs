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
    let video = output.video().expect("one video");
    assert_eq!(video.file_size(), Some(SAMPLE_MP4.len() as u64));

    let path = std::env::temp_dir().join(format!("videohub-sandbox-{}.mp4", std::process::id()));
    let written = output.save(&path).await.expect("saved");
    let saved = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    assert_eq!(written, SAMPLE_MP4.len() as u64);
    assert_eq!(saved, SAMPLE_MP4);

    let models = client.models().await.expect("the catalog");
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
    assert!(output.video().is_some());
    let counters = sandbox.counters();
    assert!(counters.faults_injected > 0, "the seed does inject faults");
    assert!(
        counters.submits_received > 1,
        "the first submit failed and was retried"
    );
    assert_eq!(counters.tasks_created, 1);
}
