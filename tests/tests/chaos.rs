//! 120 generations through a sandbox with every fault kind on every point (25 % of
//! requests): each ends in a video or a typed error, no request creates two tasks, nothing
//! panics, and no partial file is left under a final name. Cut downloads are resumed by
//! `Output::save` itself. `videohub-benches`' `chaos`
//! binary runs the same with 1,000.

use std::path::Path;
use std::time::Duration;

use videohub::{Client, Error, PollPolicy, RetryPolicy};
use videohub_sandbox::{FaultKind, FaultSpec, SAMPLE_MP4, Sandbox};

const MODEL: &str = "veo-3.1";
const GENERATIONS: usize = 120;

async fn generate(
    client: &Client,
    i: usize,
    policy: PollPolicy,
    path: &Path,
) -> Result<u64, Error> {
    let mut input = serde_json::Map::new();
    input.insert("prompt".into(), format!("chaos generation {i}").into());
    let output = client
        .submit_unchecked(videohub::Capability::Video.endpoint(), MODEL, input)
        .await?
        .wait_with(policy)
        .await?;
    // Cut downloads are resumed by `save` itself.
    output.save(path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_generation_ends_in_a_video_or_a_typed_error() {
    let faults = FaultSpec {
        slow: Duration::from_millis(50),
        retry_after: 0,
        ..FaultSpec::always(FaultKind::ALL).rate(0.25).seed(11)
    };
    let sandbox = Sandbox::builder()
        .time_scale(0.001)
        .faults(faults)
        .start()
        .await
        .expect("sandbox");
    let client = Client::builder()
        .api_key("chaos")
        .base_url(sandbox.url())
        .timeout(Duration::from_secs(5))
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(2))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("client");
    let policy = PollPolicy::default()
        .initial_delay(Duration::from_millis(5))
        .max_interval(Duration::from_millis(15))
        .min_interval(Duration::from_millis(1))
        .deadline(Duration::from_secs(30));
    let dir = std::env::temp_dir().join(format!("videohub-chaos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");

    let handles: Vec<_> = (0..GENERATIONS)
        .map(|i| {
            let client = client.clone();
            let path = dir.join(format!("out-{i}.mp4"));
            tokio::spawn(async move { generate(&client, i, policy, &path).await })
        })
        .collect();
    let mut videos = Vec::new();
    let mut errors = 0;
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.await.expect("no generation panics") {
            Ok(bytes) => {
                assert_eq!(bytes, SAMPLE_MP4.len() as u64);
                videos.push(format!("out-{i}.mp4"));
            }
            Err(error) => {
                errors += 1;
                // Every way a generation may end under these faults, each a typed error.
                assert!(
                    matches!(
                        error,
                        Error::TaskFailed { .. }
                            | Error::TaskTimedOut { .. }
                            | Error::SubmitOutcomeUnknown { .. }
                            | Error::Server { .. }
                            | Error::RateLimited { .. }
                            | Error::Transport(_)
                            | Error::Decode { .. }
                            | Error::DownloadInterrupted { .. }
                    ),
                    "generation {i}: {error:?}"
                );
            }
        }
    }
    let counters = sandbox.counters();
    assert_eq!(
        counters.duplicate_tasks, 0,
        "a request created two tasks: {counters:?}"
    );
    assert!(counters.tasks_created <= GENERATIONS as u64);
    assert!(
        !videos.is_empty() && errors > 0,
        "{} videos, {errors} errors",
        videos.len()
    );
    let requests = counters.submits_received + counters.polls + counters.downloads;
    assert!(counters.faults_injected * 5 >= requests, "{counters:?}");

    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    videos.sort();
    assert_eq!(
        names, videos,
        "only finished videos, no partial or temporary file"
    );
    for name in &names {
        assert_eq!(std::fs::read(dir.join(name)).expect("read"), SAMPLE_MP4);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
