//! Long renders as MCP tasks (`io.modelcontextprotocol/tasks`, protocol 2026-07-28): the
//! task id is the job's, the journal is the tasks' store.

use std::time::Duration;

use rmcp::model::{GetTaskResult, TaskPayload, TaskStatus};
use serde_json::{Value, json};

use super::agent::{Agent, Fixture, Kind, structured};

/// A client of the 2026-07-28 era that declares the tasks extension.
const TASKS: Kind = Kind {
    stateless: true,
    tasks: true,
    answer: None,
};

fn fox() -> Value {
    json!({"model": "veo-3.1", "input": {"prompt": "a red fox in snow"}})
}

/// Polls `tasks/get` as the task asks (at most every second here) until `done` says so.
async fn poll_until(
    agent: &Agent,
    id: &str,
    done: impl Fn(&GetTaskResult) -> bool,
) -> (GetTaskResult, Vec<String>) {
    let mut messages = Vec::new();
    for _ in 0..240 {
        let task = agent.get_task(id).await;
        assert_eq!(task.task.task.task_id, id);
        messages.extend(task.task.task.status_message.clone());
        if done(&task) {
            return (task, messages);
        }
        assert_eq!(task.task.status(), TaskStatus::Working, "{task:?}");
        let interval = task.task.task.poll_interval_ms.expect("a poll interval");
        tokio::time::sleep(Duration::from_millis(interval.min(1000))).await;
    }
    panic!("task {id} never got there: {messages:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ten_minute_render_is_a_task_that_outlives_its_server() {
    // Ten minutes of hub time, at a fiftieth of real time.
    let scale = 0.02;
    let fixture = Fixture::start(Duration::from_secs(600), scale).await;
    let first = fixture.connect_as(TASKS).await;
    let created = first.call_for_task("generate", fox()).await;
    let id = created.task.task_id.clone();
    assert_eq!(created.task.status, TaskStatus::Working);
    assert_eq!(created.task.ttl_ms, None, "the journal keeps it");
    assert!(created.task.poll_interval_ms.is_some());
    let job = fixture.job(&id);
    assert_eq!(job["id"], id.as_str(), "the task's id is the job's");

    // Followed until the hub reports it running, then the server goes away.
    let (running, _) = poll_until(&first, &id, |task| {
        task.task
            .task
            .status_message
            .as_deref()
            .unwrap_or("")
            .contains("processing")
    })
    .await;
    assert_eq!(running.task.status(), TaskStatus::Working);
    first.close().await;

    // A new server process knows the task from the journal, continues the job, completes it.
    let second = fixture.connect_as(TASKS).await;
    let (done, messages) = poll_until(&second, &id, |task| {
        task.task.status() != TaskStatus::Working
    })
    .await;
    let TaskPayload::Completed { result } = &done.task.payload else {
        panic!("not completed: {done:?}");
    };
    let report = &result["structuredContent"];
    assert_eq!(report["state"], "downloaded", "{result:?}");
    assert_eq!(report["job_id"], id.as_str());
    let path = report["path"].as_str().unwrap();
    assert_eq!(&std::fs::read(path).unwrap()[4..8], b"ftyp");
    assert!(
        result["content"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "resource_link"),
        "{result:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("veo-3.1 ")),
        "{messages:?}"
    );
    let counters = fixture.hub.counters();
    assert_eq!((counters.submits_received, counters.tasks_created), (1, 1));
    // What `get_job` answers is the task's result.
    let job = structured(
        &second
            .call("get_job", json!({"job_id": id, "wait_seconds": 0}))
            .await,
    );
    assert_eq!(&job, report);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_task_leaves_the_render_to_the_journal() {
    let fixture = Fixture::start(Duration::from_secs(8), 1.0).await;
    let agent = fixture.connect_as(TASKS).await;
    let id = agent.call_for_task("generate", fox()).await.task.task_id;
    // Cancelled once the hub has its task.
    poll_until(&agent, &id, |_| fixture.hub.counters().tasks_created == 1).await;
    agent.cancel_task(&id).await;
    let cancelled = agent.get_task(&id).await;
    assert_eq!(cancelled.task.status(), TaskStatus::Cancelled);
    let message = cancelled.task.task.status_message.unwrap();
    assert!(
        message.contains("The hub's render is not cancelled"),
        "{message}"
    );
    // The job is let go, as it was: submitted, held by no process.
    let job = fixture.job(&id);
    assert_eq!(
        (job["state"].as_str(), job["owner"].as_str()),
        (Some("submitted"), None),
        "{job}"
    );
    // Asked for again, it is continued and saved, paid once.
    let done = structured(
        &agent
            .call("get_job", json!({"job_id": id, "wait_seconds": 50}))
            .await,
    );
    assert_eq!(done["state"], "downloaded", "{done}");
    assert_eq!(fixture.hub.counters().submits_received, 1);
    assert_eq!(
        agent.get_task(&id).await.task.status(),
        TaskStatus::Cancelled,
        "a cancelled task stays so"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_without_the_extension_or_of_the_session_era_keep_bounded_waits() {
    let fixture = Fixture::start(Duration::from_millis(50), 1.0).await;
    for kind in [
        Kind {
            stateless: true,
            ..Kind::default()
        },
        Kind {
            tasks: true,
            ..Kind::default()
        },
    ] {
        let agent = fixture.connect_as(kind).await;
        let mut arguments = fox();
        arguments["wait_seconds"] = json!(50);
        let done = structured(&agent.call("generate", arguments).await);
        assert_eq!(done["state"], "downloaded", "{kind:?}: {done}");
        agent.close().await;
    }
}
