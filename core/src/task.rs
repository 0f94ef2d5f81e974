//! Handles on tasks, the hub's answers about them, and the submit receipt.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde_json::Value;
use tracing::Instrument;

use crate::Capability;
use crate::error::{Error, ErrorCode, Result};
use crate::hub::Hub;
use crate::output::Output;
use crate::vocab::TASKS_PATH;

/// The model marker of a task whose model is not known at compile time (submitted with
/// [`Client::submit_checked`](crate::Client::submit_checked), or resumed with
/// [`Client::task_by_id`](crate::Client::task_by_id)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dynamic;

/// A task on the hub, typed by its model (`Task<Veo31>`) or untyped (`Task<Dynamic>`).
///
/// The id is all it takes to pick the task up again in another process:
/// `client.task::<M>(id)` or `client.task_by_id(id)`.
///
/// ```no_run
/// use futures::StreamExt;
///
/// # async fn run(hub: videohub_core::Client) -> videohub_core::Result<()> {
/// // A task submitted by another process, its id kept in a file or a database.
/// let task = hub.task_by_id("hub-task-123");
/// let mut updates = std::pin::pin!(task.updates());
/// while let Some(update) = updates.next().await {
///     let update = update?;
///     println!("{} after {:?}", update.status(), update.elapsed());
///     if update.is_ready() {
///         update.state.into_output(&hub, task.id())?.save("out.mp4").await?;
///         break;
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Task<M = Dynamic> {
    pub(crate) hub: Hub,
    id: String,
    model: Option<String>,
    capability: Option<Capability>,
    receipt: Option<SubmitReceipt>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Task<M> {
    fn clone(&self) -> Self {
        Task {
            hub: self.hub.clone(),
            id: self.id.clone(),
            model: self.model.clone(),
            capability: self.capability,
            receipt: self.receipt.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Task<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("model", &self.model)
            .field("capability", &self.capability)
            .finish()
    }
}

impl<M> Task<M> {
    pub(crate) fn submitted(
        hub: Hub,
        model: Option<String>,
        capability: Option<Capability>,
        receipt: SubmitReceipt,
    ) -> Self {
        let model = receipt.model.clone().or(model);
        Task {
            hub,
            id: receipt.task_id.clone(),
            model,
            capability,
            receipt: Some(receipt),
            _model: PhantomData,
        }
    }

    pub(crate) fn resumed(
        hub: Hub,
        id: String,
        model: Option<String>,
        capability: Option<Capability>,
    ) -> Self {
        Task {
            hub,
            id,
            model,
            capability,
            receipt: None,
            _model: PhantomData,
        }
    }

    /// The hub's task id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The model id, when known (always for typed tasks and submitted ones).
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// What the task generates, when known: always for typed tasks and submitted ones.
    pub fn capability(&self) -> Option<Capability> {
        self.capability
    }

    /// The same task, known to generate `capability` (e.g. a task resumed by id whose
    /// endpoint was recorded): its output's [`file`](crate::Output::file) is then only ever
    /// a file of that kind.
    ///
    /// ```
    /// # let client = videohub_core::Client::new("key").unwrap();
    /// use videohub_core::Capability;
    ///
    /// let task = client.task_by_id("hub-123").with_capability(Capability::Image);
    /// assert_eq!(task.capability(), Some(Capability::Image));
    /// ```
    pub fn with_capability(mut self, capability: Capability) -> Self {
        self.capability = Some(capability);
        self
    }

    /// The hub's answer to the submit, when this handle made it.
    pub fn receipt(&self) -> Option<&SubmitReceipt> {
        self.receipt.as_ref()
    }

    /// Whether this handle submitted the task (rather than resuming it by id).
    pub(crate) fn is_fresh(&self) -> bool {
        self.receipt.is_some()
    }

    /// The same task, untyped.
    pub fn into_dynamic(self) -> Task<Dynamic> {
        Task {
            hub: self.hub,
            id: self.id,
            model: self.model,
            capability: self.capability,
            receipt: self.receipt,
            _model: PhantomData,
        }
    }

    /// Asks the hub once for the task's state (`GET /hub/v1/tasks/{id}`), with the
    /// client's retries.
    pub async fn status(&self) -> Result<TaskState> {
        let transport = self.hub.transport();
        let url = transport.endpoint(TASKS_PATH, &[&self.id]);
        let span = tracing::debug_span!("videohub.poll", task_id = %self.id);
        // Boxed: the request's state (about 1.5 KiB) is allocated while it runs, not carried
        // by every waiting task between polls.
        let value = Box::pin(transport.get_json(url).instrument(span)).await?;
        let redactor = self.hub.redactor();
        let shown = crate::wire::excerpt(value.to_string().as_bytes(), redactor);
        // Read as the hub wrote it; what is kept to be shown has the key removed.
        let mut state = TaskState::from_json(value).ok_or_else(|| Error::Decode {
            message: "the task answer is not a JSON object".into(),
            excerpt: shown,
        })?;
        state.capability = self.capability.or(state.capability);
        redactor.value(&mut state.raw);
        state.error_message = state.error_message.map(|m| redactor.string(m));
        // A status the client does not know, and an error code, are only ever shown.
        if let TaskStatus::Other(status) = &mut state.status {
            *status = redactor.string(std::mem::take(status));
        }
        if let Some(ErrorCode::Text(code)) = &mut state.error_code {
            *code = redactor.string(std::mem::take(code));
        }
        Ok(state)
    }
}

/// The status of a task. A status the hub adds later is kept as [`TaskStatus::Other`];
/// [`TaskState::ready`] decides whether the task is finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskStatus {
    /// Queued.
    Pending,
    /// Running.
    Processing,
    /// Finished with an output.
    Completed,
    /// Finished with an error.
    Failed,
    /// Ran out of time on the hub.
    Timeout,
    /// Cancelled on the hub.
    Cancelled,
    /// A status not listed here, as the hub wrote it.
    Other(String),
}

impl TaskStatus {
    /// Reads the hub's status string.
    pub fn parse(status: &str) -> TaskStatus {
        match status.to_ascii_lowercase().as_str() {
            "pending" => TaskStatus::Pending,
            "processing" => TaskStatus::Processing,
            "completed" => TaskStatus::Completed,
            "failed" => TaskStatus::Failed,
            "timeout" => TaskStatus::Timeout,
            "cancelled" | "canceled" => TaskStatus::Cancelled,
            _ => TaskStatus::Other(status.to_owned()),
        }
    }

    /// The hub's name for the status.
    pub fn as_str(&self) -> &str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Processing => "processing",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Timeout => "timeout",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Other(s) => s,
        }
    }

    fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskStatus::Completed
                | TaskStatus::Failed
                | TaskStatus::Timeout
                | TaskStatus::Cancelled
        )
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One answer of `GET /hub/v1/tasks/{id}`, parsed leniently; the JSON stays in `raw`.
///
/// A state a [`Task`] asked for is read from the answer as the hub wrote it; what it keeps
/// to be shown, `error_message`, a textual `error_code`, `raw` and the text of a
/// [`TaskStatus::Other`], has the client's key replaced by `[redacted]` wherever the hub
/// repeated it. `data`, which the output's files are read from, is kept
/// as it came, and `Debug` leaves it out (it is in `raw`).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskState {
    /// The task id (empty when the answer named none).
    pub task_id: String,
    /// The status.
    pub status: TaskStatus,
    /// Whether the task is finished; decides the end of polling.
    pub ready: bool,
    /// The model's output, when completed.
    pub data: Option<Value>,
    /// How long the task has run on the hub.
    pub elapsed: Option<Duration>,
    /// The hub's `error_code`, on failure.
    pub error_code: Option<ErrorCode>,
    /// The hub's `error_message`, on failure.
    pub error_message: Option<String>,
    /// What the task generates: what the handle that asked knows (its model's), else the
    /// answer's `capability`; `None` when neither says.
    pub capability: Option<Capability>,
    /// The whole answer (see the type's documentation for the key).
    pub raw: Value,
}

impl fmt::Debug for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskState")
            .field("task_id", &self.task_id)
            .field("status", &self.status)
            .field("ready", &self.ready)
            .field("elapsed", &self.elapsed)
            .field("error_code", &self.error_code)
            .field("error_message", &self.error_message)
            .field("capability", &self.capability)
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl TaskState {
    /// Reads a task answer; `None` when it is not a JSON object. Without `ready`, a task
    /// counts as finished when its status is `completed`, `failed`, `timeout` or `cancelled`.
    pub fn from_json(raw: Value) -> Option<TaskState> {
        let map = raw.as_object()?;
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let status = TaskStatus::parse(text("status").as_deref().unwrap_or("unknown"));
        let ready = map
            .get("ready")
            .and_then(Value::as_bool)
            .unwrap_or_else(|| status.is_terminal());
        let elapsed = map
            .get("elapsed_ms")
            .and_then(Value::as_f64)
            .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok());
        let error_code = match map.get("error_code") {
            Some(Value::Number(n)) => Some(ErrorCode::Number(n.clone())),
            Some(Value::String(s)) if !s.is_empty() => Some(ErrorCode::Text(s.clone())),
            _ => None,
        };
        Some(TaskState {
            task_id: text("task_id")
                .or_else(|| text("taskId"))
                .unwrap_or_default(),
            status,
            ready,
            data: map.get("data").filter(|d| !d.is_null()).cloned(),
            elapsed,
            error_code,
            error_message: text("error_message"),
            capability: text("capability")
                .as_deref()
                .and_then(Capability::from_name),
            raw,
        })
    }

    /// The outcome of a finished task, its files downloaded through `hub` (see
    /// [`TaskState::into_output`]); the hub's text in an error has `hub`'s key removed.
    pub(crate) fn into_output_on(self, hub: &Hub, task_id: &str) -> Result<Output> {
        self.outcome(hub, task_id)
            .map_err(|error| hub.redactor().error(error))
    }

    fn outcome(self, hub: &Hub, task_id: &str) -> Result<Output> {
        let task_id = if self.task_id.is_empty() {
            task_id.to_owned()
        } else {
            self.task_id.clone()
        };
        match self.status {
            TaskStatus::Failed => Err(Error::TaskFailed {
                task_id,
                code: self.error_code,
                message: self.error_message,
            }),
            TaskStatus::Timeout => Err(Error::TaskTimedOut {
                task_id,
                message: self.error_message,
            }),
            TaskStatus::Cancelled => Err(Error::TaskCancelled { task_id }),
            TaskStatus::Completed => Ok(Output::new(
                hub.clone(),
                task_id,
                self.capability,
                self.data,
                self.raw,
            )),
            _ if self.data.is_none()
                && (self.error_code.is_some() || self.error_message.is_some()) =>
            {
                Err(Error::TaskFailed {
                    task_id,
                    code: self.error_code,
                    message: self.error_message,
                })
            }
            _ => Ok(Output::new(
                hub.clone(),
                task_id,
                self.capability,
                self.data,
                self.raw,
            )),
        }
    }
}

/// The hub's answer to a submit: `{"taskId"}` or `{"task_id", "status", …}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SubmitReceipt {
    /// The task id.
    pub task_id: String,
    /// The initial status, when given.
    pub status: Option<TaskStatus>,
    /// The model id, when given.
    pub model: Option<String>,
    /// The vendor, when given.
    pub vendor: Option<String>,
    /// The mode (e.g. `text-to-video`), when given.
    pub mode: Option<String>,
    /// The creation time as the hub wrote it, when given.
    pub created_at: Option<String>,
    /// The whole answer (from a [`Client`](crate::Client)'s submit, with the client's key
    /// replaced by `[redacted]` wherever the hub repeated it; the fields above are read
    /// from the answer as it came).
    pub raw: Value,
}

impl SubmitReceipt {
    /// Reads a submit answer; `None` when it names no task id. The answer may also be
    /// wrapped in `data`.
    pub fn from_json(raw: Value) -> Option<SubmitReceipt> {
        let top = raw.as_object()?;
        let map = match top.get("data").and_then(Value::as_object) {
            Some(inner) if !has_task_id(top) => inner,
            _ => top,
        };
        let text = |key: &str| match map.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let task_id = text("taskId")
            .or_else(|| text("task_id"))
            .or_else(|| text("id"))?;
        Some(SubmitReceipt {
            task_id,
            status: text("status").map(|s| TaskStatus::parse(&s)),
            model: text("model"),
            vendor: text("vendor"),
            mode: text("mode"),
            created_at: text("created_at"),
            raw: raw.clone(),
        })
    }
}

fn has_task_id(map: &serde_json::Map<String, Value>) -> bool {
    ["taskId", "task_id", "id"]
        .iter()
        .any(|k| map.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_submit_answers() {
        let a = SubmitReceipt::from_json(json!({"taskId": "abc"})).expect("taskId");
        assert_eq!(a.task_id, "abc");
        let b = SubmitReceipt::from_json(
            json!({"task_id": "hub-1", "status": "pending", "model": "veo-3.1-fast",
            "vendor": "Google", "mode": "text-to-video", "created_at": "2026-05-18T09:00:00.000Z"}),
        )
        .expect("task_id");
        assert_eq!(
            (b.task_id.as_str(), b.status),
            ("hub-1", Some(TaskStatus::Pending))
        );
        assert_eq!(b.vendor.as_deref(), Some("Google"));
        assert!(SubmitReceipt::from_json(json!({"ok": true})).is_none());
    }

    #[test]
    fn unknown_status_and_error_codes() {
        let s = TaskState::from_json(
            json!({"task_id": "t", "status": "queued_upstream", "ready": false}),
        )
        .expect("object");
        assert_eq!(s.status, TaskStatus::Other("queued_upstream".into()));
        assert!(!s.ready);
        let f = TaskState::from_json(
            json!({"status": "failed", "ready": true, "error_code": 42, "elapsed_ms": 1500}),
        )
        .expect("object");
        assert_eq!(f.error_code, Some(ErrorCode::Number(42.into())));
        assert_eq!(f.elapsed, Some(Duration::from_millis(1500)));
        let g = TaskState::from_json(json!({"status": "failed", "error_code": "NSFW"}))
            .expect("object");
        assert!(g.ready);
        assert_eq!(g.error_code, Some(ErrorCode::Text("NSFW".into())));
    }
}
