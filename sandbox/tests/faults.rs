//! Every fault kind over real HTTP (and raw TCP for resets), and their reproducibility.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::*;
use serde_json::Value;
use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec, SAMPLE_MP4};

fn on_submit(kind: FaultKind) -> FaultSpec {
    FaultSpec::always([kind]).on([FaultPoint::Submit])
}

#[tokio::test]
async fn status_faults_answer_without_processing() {
    let spec = |kind| on_submit(kind).seed(1);
    let cases = [
        (FaultKind::Status500, 500, true),
        (FaultKind::Status502, 502, false),
        (FaultKind::Status503, 503, true),
        (FaultKind::RateLimited, 429, true),
        (FaultKind::RateLimitedBare, 429, true),
    ];
    for (kind, status, json_body) in cases {
        let mut spec = spec(kind);
        spec.retry_after = 3;
        let sandbox = fast().faults(spec).start().await.expect("start");
        let response = submit(&sandbox, &veo_input()).await;
        assert_eq!(response.status(), status, "{kind}");
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        match kind {
            FaultKind::RateLimited => assert_eq!(retry_after.as_deref(), Some("3")),
            _ => assert_eq!(retry_after, None, "{kind}"),
        }
        let text = response.text().await.expect("a body");
        assert_eq!(
            serde_json::from_str::<Value>(&text).is_ok(),
            json_body,
            "{kind}: {text}"
        );
        let counters = sandbox.counters();
        assert_eq!(
            (counters.submits_received, counters.tasks_created),
            (1, 0),
            "{kind}"
        );
        assert_eq!(counters.faults_injected, 1);
    }
}

#[tokio::test]
async fn faults_follow_the_seed() {
    let spec: FaultSpec = "seed=7,rate=0.5,kinds=500+503+429+429-bare,on=submit"
        .parse()
        .expect("spec");
    let expected: Vec<Option<FaultKind>> = (0..24)
        .map(|i| spec.fault_for(FaultPoint::Submit, i))
        .collect();
    assert!(expected.iter().any(Option::is_some) && expected.iter().any(Option::is_none));

    let mut runs = Vec::new();
    for _ in 0..2 {
        let sandbox = slow_tasks()
            .faults(spec.clone())
            .start()
            .await
            .expect("start");
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(submit(&sandbox, &veo_input()).await.status().as_u16());
        }
        let failures = expected.iter().filter(|e| e.is_some()).count() as u64;
        assert_eq!(sandbox.counters().tasks_created, 24 - failures);
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same faults");
    let predicted: Vec<u16> = expected
        .iter()
        .map(|fault| match fault {
            None => 200,
            Some(FaultKind::Status500) => 500,
            Some(FaultKind::Status503) => 503,
            Some(FaultKind::RateLimited | FaultKind::RateLimitedBare) => 429,
            Some(other) => panic!("{other} was not asked for"),
        })
        .collect();
    assert_eq!(runs[0], predicted);

    let other: Vec<_> = (0..24)
        .map(|i| spec.clone().seed(8).fault_for(FaultPoint::Submit, i))
        .collect();
    assert_ne!(other, expected, "another seed gives other faults");
}

#[tokio::test]
async fn reset_before_processing_creates_nothing() {
    let sandbox = fast()
        .faults(on_submit(FaultKind::ResetBefore))
        .start()
        .await
        .expect("start");
    let body = veo_input().to_string();
    let outcome = raw_request(sandbox.addr(), "POST", "/hub/v1/video", &body, true).await;
    assert!(
        outcome.received.is_empty(),
        "no answer: {:?}",
        String::from_utf8_lossy(&outcome.received)
    );
    assert_eq!(outcome.error, Some(ErrorKind::ConnectionReset));
    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 0));

    // An HTTP client sees a failed request, not an answer.
    assert!(try_submit(&sandbox).await.is_err());
}

#[tokio::test]
async fn reset_after_processing_creates_the_task_and_drops_the_connection() {
    let sandbox = slow_tasks()
        .faults(on_submit(FaultKind::ResetAfter))
        .start()
        .await
        .expect("start");
    let body = veo_input().to_string();
    let outcome = raw_request(sandbox.addr(), "POST", "/hub/v1/video", &body, true).await;
    assert!(
        outcome.received.is_empty(),
        "no answer: {:?}",
        String::from_utf8_lossy(&outcome.received)
    );
    assert_eq!(outcome.error, Some(ErrorKind::ConnectionReset));
    let counters = sandbox.counters();
    assert_eq!(
        (counters.submits_received, counters.tasks_created),
        (1, 1),
        "the task exists"
    );

    let error = try_submit(&sandbox).await.expect_err("no answer");
    assert!(!error.is_status(), "{error}");
    assert_eq!(sandbox.counters().tasks_created, 2);
}

#[tokio::test]
async fn poll_faults() {
    let spec = FaultSpec::always([FaultKind::Status503]).on([FaultPoint::Poll]);
    let sandbox = fast().faults(spec).start().await.expect("start");
    let task_id = submit_ok(&sandbox, &veo_input()).await;
    let response = get(&sandbox, &format!("/hub/v1/tasks/{task_id}")).await;
    assert_eq!(response.status(), 503);

    let spec = FaultSpec::always([FaultKind::ResetAfter]).on([FaultPoint::Poll]);
    let sandbox = fast().faults(spec).start().await.expect("start");
    let task_id = submit_ok(&sandbox, &veo_input()).await;
    let outcome = raw_request(
        sandbox.addr(),
        "GET",
        &format!("/hub/v1/tasks/{task_id}"),
        "",
        true,
    )
    .await;
    assert_eq!(outcome.error, Some(ErrorKind::ConnectionReset));
    assert_eq!(sandbox.counters().polls, 1);
}

#[tokio::test]
async fn slow_answers_still_answer() {
    let spec = on_submit(FaultKind::Slow).slow(Duration::from_millis(20));
    let sandbox = fast().faults(spec).start().await.expect("start");
    submit_ok(&sandbox, &veo_input()).await;
    let counters = sandbox.counters();
    assert_eq!((counters.tasks_created, counters.faults_injected), (1, 1));
}

#[tokio::test]
async fn malformed_and_truncated_answers_come_after_processing() {
    for kind in [FaultKind::Malformed, FaultKind::Truncated] {
        let sandbox = slow_tasks()
            .faults(on_submit(kind))
            .start()
            .await
            .expect("start");
        let response = submit(&sandbox, &veo_input()).await;
        assert_eq!(response.status(), 200, "{kind}");
        let text = response.text().await.expect("a complete HTTP body");
        assert!(
            serde_json::from_str::<Value>(&text).is_err(),
            "{kind}: {text}"
        );
        assert!(text.starts_with('{'), "{kind}: {text}");
        if kind == FaultKind::Truncated {
            assert!(
                r#"{"taskId":""#.starts_with(&text) || text.starts_with(r#"{"taskId":""#),
                "{text}"
            );
        } else {
            assert!(text.contains("'taskId'"), "{text}");
        }
        assert_eq!(
            sandbox.counters().tasks_created,
            1,
            "{kind}: the task exists"
        );
    }
}

#[tokio::test]
async fn truncated_downloads_stop_short() {
    let spec = FaultSpec::always([FaultKind::TruncatedDownload]);
    let sandbox = fast().faults(spec).start().await.expect("start");
    let task_id = submit_ok(&sandbox, &veo_input()).await;
    let done = poll_until_ready(&sandbox, &task_id)
        .await
        .pop()
        .expect("answer");
    assert_eq!(
        done["status"], "completed",
        "download faults leave tasks alone"
    );
    let url = done["data"]["video"]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let response = client().get(&url).send().await.expect("headers arrive");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(SAMPLE_MP4.len() as u64));
    assert!(
        response.bytes().await.is_err(),
        "the body ends short of Content-Length"
    );

    // Raw: half the file, then the connection closes.
    let path = url.trim_start_matches(sandbox.download_url());
    let outcome = raw_request(sandbox.download_addr(), "GET", path, "", false).await;
    let text = String::from_utf8_lossy(&outcome.received);
    let head_end = text.find("\r\n\r\n").expect("headers") + 4;
    assert!(outcome.received.len() - head_end < SAMPLE_MP4.len());
    assert_eq!(sandbox.counters().downloads, 2);
}

async fn try_submit(
    sandbox: &videohub_sandbox::SandboxHandle,
) -> reqwest::Result<reqwest::Response> {
    client()
        .post(format!("{}/hub/v1/video", sandbox.url()))
        .bearer_auth(KEY)
        .json(&veo_input())
        .send()
        .await
}
