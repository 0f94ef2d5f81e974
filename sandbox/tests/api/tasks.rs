//! Tasks from submit to download: both submit shapes, and tasks that end failed or timed out.

use serde_json::{Value, json};
use videohub_sandbox::{FaultKind, FaultPoint, FaultSpec, SAMPLE_MP4, SubmitShape};

use crate::common::*;

#[tokio::test]
async fn submit_poll_download_with_the_compiled_models() {
    // The default models: the catalog compiled into the videohub crate.
    let sandbox = fast().start().await.expect("start");
    assert_eq!(sandbox.models().len(), videohub::models::catalog().len());

    let task_id = submit_ok(&sandbox, &veo_input()).await;
    assert_eq!(task_id.len(), 36, "a UUID: {task_id}");
    assert_eq!(task_id.matches('-').count(), 4);

    let answers = poll_until_ready(&sandbox, &task_id).await;
    for answer in &answers[..answers.len() - 1] {
        assert!(["pending", "processing"].contains(&answer["status"].as_str().unwrap_or_default()));
        assert!(answer.get("data").is_none());
    }
    let done = answers.last().expect("one answer");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["task_id"], task_id.as_str());
    assert!(done["elapsed_ms"].is_u64());
    let video = &done["data"]["video"];
    assert_eq!(video["content_type"], "video/mp4");
    assert_eq!(video["file_size"], SAMPLE_MP4.len());
    let file_name = video["file_name"].as_str().expect("a file name");
    assert!(file_name.ends_with(".mp4"));
    let url = video["url"].as_str().expect("a URL");
    assert!(
        url.starts_with(sandbox.download_url()),
        "{url} is on the file origin"
    );
    assert_ne!(sandbox.download_url(), sandbox.url());

    let response = client().get(url).send().await.expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "video/mp4");
    let bytes = response.bytes().await.expect("the whole file");
    let fixture = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample.mp4"))
        .expect("fixture");
    assert_eq!(bytes.as_ref(), fixture.as_slice());
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 starts with an ftyp box");

    let counters = sandbox.counters();
    assert_eq!(counters.submits_received, 1);
    assert_eq!(counters.tasks_created, 1);
    assert_eq!(counters.polls, answers.len() as u64);
    assert_eq!(counters.downloads, 1);
    assert_eq!(counters.unauthorized, 0);
    assert_eq!(counters.authorized_downloads, 0);
    assert_eq!(counters.faults_injected, 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_long_submit_shape() {
    let sandbox = fast()
        .models(fixture_models())
        .submit_shape(SubmitShape::Full)
        .start()
        .await
        .expect("start");
    let response = submit(
        &sandbox,
        &json!({"model": "wan-2.7", "input": {"prompt": "a lighthouse at night"}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("JSON");
    let task_id = answer["task_id"].as_str().expect("task_id");
    assert!(task_id.starts_with("hub-"), "{task_id}");
    assert!(answer.get("taskId").is_none());
    assert_eq!(answer["status"], "pending");
    assert_eq!(answer["capability"], "video");
    assert_eq!(answer["model"], "wan-2.7");
    assert_eq!(answer["vendor"], "Alibaba");
    assert_eq!(answer["mode"], "text-to-video");
    let created_at = answer["created_at"].as_str().expect("created_at");
    assert!(
        created_at.ends_with('Z') && created_at.contains('T'),
        "{created_at}"
    );
    let answers = poll_until_ready(&sandbox, task_id).await;
    assert_eq!(answers.last().expect("answers")["status"], "completed");

    assert_eq!("task_id".parse(), Ok(SubmitShape::Full));
    assert_eq!("taskId".parse(), Ok(SubmitShape::TaskId));
    assert!("taskid".parse::<SubmitShape>().is_err());
}

#[tokio::test]
async fn tasks_can_end_failed_or_timeout() {
    let failing = fast()
        .faults(FaultSpec::always([FaultKind::Failed]))
        .start()
        .await
        .expect("start");
    let task_id = submit_ok(&failing, &veo_input()).await;
    let done = poll_until_ready(&failing, &task_id)
        .await
        .pop()
        .expect("answer");
    assert_eq!(done["status"], "failed");
    assert!(done["error_code"].is_string() || done["error_code"].is_number());
    assert!(
        done["error_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(done.get("data").is_none());

    let timing_out = fast()
        .faults(FaultSpec::always([FaultKind::Timeout]))
        .start()
        .await
        .expect("start");
    let task_id = submit_ok(&timing_out, &veo_input()).await;
    let done = poll_until_ready(&timing_out, &task_id)
        .await
        .pop()
        .expect("answer");
    assert_eq!(done["status"], "timeout");
    assert_eq!(done["ready"], true);
    assert!(done["error_code"].is_string());

    // Faults limited to tasks leave submits and polls alone.
    let spec: FaultSpec = "seed=3,kinds=all,on=task".parse().expect("spec");
    assert!(spec.fault_for(FaultPoint::Submit, 0).is_none());
    assert!(spec.fault_for(FaultPoint::Task, 0).is_some());
}
