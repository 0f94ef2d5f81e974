//! The client against real local HTTP servers: submits, retries, errors, polling,
//! outputs, downloads, the catalog, the secrecy of the key and answers that hold it; one
//! module per area (`cargo test -p videohub-core --test client submit::` runs one).

mod catalog;
#[path = "../common/mod.rs"]
mod common;
mod configuration;
mod downloads;
mod gets;
mod keys_in_answers;
mod polling;
mod secrecy;
mod span_fields;
mod submit;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SUBMIT: &str = "/hub/v1/video";

fn task_path(id: &str) -> String {
    format!("/hub/v1/tasks/{id}")
}

async fn mount_submit(server: &MockServer, answer: Value) {
    Mock::given(method("POST"))
        .and(path(SUBMIT))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(server)
        .await;
}

/// Mounts answers for a task in order; the last one repeats.
async fn mount_task_sequence(server: &MockServer, id: &str, answers: Vec<Value>) {
    let last = answers.len() - 1;
    for (i, answer) in answers.into_iter().enumerate() {
        let mock = Mock::given(method("GET"))
            .and(path(task_path(id)))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer));
        if i < last {
            mock.up_to_n_times(1).mount(server).await
        } else {
            mock.mount(server).await
        }
    }
}

async fn requests_to(server: &MockServer, method_name: &str, p: &str) -> Vec<Request> {
    let all = server.received_requests().await.expect("recording");
    all.into_iter()
        .filter(|r| r.method.as_str() == method_name && r.url.path() == p)
        .collect()
}

fn completed(id: &str, data: Value) -> Value {
    json!({"task_id": id, "status": "completed", "ready": true, "data": data, "elapsed_ms": 42000})
}
