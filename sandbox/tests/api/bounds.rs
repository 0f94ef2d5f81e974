//! Counters, the task store's bound and retention, and which requests count and draw faults.

use std::time::Duration;

use serde_json::Value;
use videohub_sandbox::{Counters, FaultKind, FaultSpec, Sandbox};

use crate::common::*;

#[tokio::test]
async fn counters_are_served_as_json() {
    let sandbox = fast().start().await.expect("start");
    submit_ok(&sandbox, &veo_input()).await;
    let _ = client()
        .get(format!("{}/hub/v1/models", sandbox.url()))
        .send()
        .await
        .expect("401");
    let served: Counters = client()
        .get(format!("{}/__sandbox/counters", sandbox.url()))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("counters");
    assert_eq!(served, sandbox.counters());
    assert_eq!(served.submits_received, 1);
    assert_eq!(served.tasks_created, 1);
    assert_eq!(served.unauthorized, 1);
}

#[tokio::test]
async fn beyond_max_tasks_submits_get_429() {
    let sandbox = slow_tasks().max_tasks(2).start().await.expect("start");
    submit_ok(&sandbox, &veo_input()).await;
    submit_ok(&sandbox, &veo_input()).await;
    let response = submit(&sandbox, &veo_input()).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "too_many_tasks");
    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (3, 2));

    // Finished tasks past their retention make room.
    let recycled = fast()
        .max_tasks(1)
        .task_retention(Duration::ZERO)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&recycled, &veo_input()).await;
    poll_until_ready(&recycled, &first).await;
    submit_ok(&recycled, &veo_input()).await;
    assert_eq!(
        get(&recycled, &format!("/hub/v1/tasks/{first}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn retention_runs_on_simulated_time() {
    // Ten minutes of simulated time are nothing at a time scale of 0: a finished task makes
    // room for the next at once.
    let sandbox = Sandbox::builder()
        .time_scale(0.0)
        .max_tasks(1)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&sandbox, &veo_input()).await;
    poll_until_ready(&sandbox, &first).await;
    submit_ok(&sandbox, &veo_input()).await;
    assert_eq!(sandbox.counters().tasks_created, 2);
}

#[tokio::test]
async fn a_full_sandbox_forgets_only_the_oldest_finished_task() {
    let sandbox = Sandbox::builder()
        .time_scale(0.0)
        .max_tasks(2)
        .start()
        .await
        .expect("start");
    let first = submit_ok(&sandbox, &veo_input()).await;
    let second = submit_ok(&sandbox, &veo_input()).await;
    poll_until_ready(&sandbox, &first).await;
    poll_until_ready(&sandbox, &second).await;
    submit_ok(&sandbox, &veo_input()).await;
    let status = |id: String| {
        let sandbox = &sandbox;
        async move { get(sandbox, &format!("/hub/v1/tasks/{id}")).await.status() }
    };
    assert_eq!(status(first).await, 404, "the oldest made room");
    assert_eq!(status(second).await, 200, "the other is kept until needed");
}

#[tokio::test]
async fn only_submits_and_polls_are_counted_and_draw_faults() {
    // Every submit and poll gets a 500; the catalog, the counters and a wrong method do not.
    let sandbox = fast()
        .api_key(KEY)
        .faults(FaultSpec::always([FaultKind::Status500]))
        .start()
        .await
        .expect("start");
    assert_eq!(submit(&sandbox, &veo_input()).await.status(), 500);
    assert_eq!(get(&sandbox, "/hub/v1/tasks/x").await.status(), 500);
    assert_eq!(get(&sandbox, "/hub/v1/models").await.status(), 200);
    assert_eq!(get(&sandbox, "/hub/v1/models/veo-3.1").await.status(), 200);
    let wrong_method = client()
        .get(format!("{}/hub/v1/video", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong_method.status(), 405);
    let counters = client()
        .get(format!("{}/__sandbox/counters", sandbox.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(counters.status(), 200);

    let counters = sandbox.counters();
    assert_eq!((counters.submits_received, counters.polls), (1, 1));
    assert_eq!(counters.faults_injected, 2);
    assert_eq!(counters.unauthorized, 0);
}
