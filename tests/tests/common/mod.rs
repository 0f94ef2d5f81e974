//! A sandbox hub that serves the compiled models and one more, and a client of it.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use videohub::{Client, ModelSchema, PollPolicy};
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration, compiled_models};

/// A sandbox serving the compiled models and `extra`, with 30 ms tasks, and a client of it.
pub async fn hub_with(extra: ModelSchema) -> (SandboxHandle, Client) {
    let sandbox = Sandbox::builder()
        .models(compiled_models().into_iter().chain([extra]))
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .api_key("key")
        .base_url(sandbox.url())
        .build()
        .unwrap();
    (sandbox, client)
}

/// Polls every 10 ms at first, at most every 50 ms.
pub fn quick() -> PollPolicy {
    PollPolicy::default()
        .initial_delay(Duration::from_millis(10))
        .max_interval(Duration::from_millis(50))
}
