//! The tasks extension (`io.modelcontextprotocol/tasks`): a client of the 2026-07-28 era
//! that declares it gets a task from `generate` and `retry_job` at once, whose id is the
//! job's, and follows it with `tasks/get`. The extension is of that era (see `era`): a
//! client of an earlier version keeps bounded waits, even one naming the extension.
//!
//! The journal is the tasks' store: `tasks/get` reads the job, from any server process and
//! after a restart, and continues it when no process drives it (as `get_job` does). A task
//! is `working` while its job is unfinished (its status message says how far), then
//! `completed` with what `get_job` answers (a failed job too: its report says why). `ttlMs`
//! is null: the journal keeps the job. `tasks/cancel` stops following the job in this
//! process, and its status says plainly that the hub's render goes on.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{CreateTaskResult, DetailedTask, GetTaskResult, Task, TaskPayload, TaskStatus};
use rmcp::service::RequestContext;
use videohub_app::App;
use videohub_journal::{Error, Job};

use crate::era;
use crate::handler::Handler;
use crate::report::{job_answer, rfc3339};
use crate::status::{Look, Status, look};

/// How often a client polls a task whose model's duration is not known yet.
const DEFAULT_POLL: Duration = Duration::from_secs(5);

/// The polls a client makes over a task's usual duration.
const POLLS_PER_TASK: u32 = 20;

/// Whether the request's answer may be a task: it is of the 2026-07-28 era, and its client
/// declared the tasks extension.
pub(crate) fn offered(context: &RequestContext<RoleServer>) -> bool {
    era::stateless(context)
        && context
            .client_capabilities()
            .is_some_and(|capabilities| capabilities.supports_tasks())
}

/// The tasks cancelled through this server process: their jobs are no longer followed here.
#[derive(Debug, Default)]
pub(crate) struct Cancelled(Mutex<HashSet<String>>);

impl Cancelled {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets a cancel: the job was sent again and is followed anew.
    pub(crate) fn forget(&self, id: &str) {
        self.set().remove(id);
    }
}

/// The task of `job`, just started or sent again, which this process now drives.
pub(crate) fn created(app: &App, job: &Job) -> CreateTaskResult {
    let expected = app.client().typical_duration(&job.model);
    // Driven in the background: the client's `tasks/get` follows it.
    let _ = look(app, job, expected);
    let status = Status::of(job, None, expected);
    CreateTaskResult::new(
        task(job, TaskStatus::Working, expected).with_status_message(status.message),
    )
}

/// `tasks/get`: the job's task as the journal has it now.
pub(crate) async fn get(handler: &Handler, id: &str) -> Result<GetTaskResult, ErrorData> {
    let app = handler.app();
    let job = job_of_task(app, id).await?;
    let expected = app.client().typical_duration(&job.model);
    let detailed = if handler.cancelled().set().contains(&job.id) {
        let base = task(&job, TaskStatus::Cancelled, expected);
        DetailedTask::new(
            base.with_status_message(cancelled_message(&job)),
            TaskPayload::Cancelled,
        )
    } else {
        match look(app, &job, expected) {
            Look::Report(report) => {
                let result = match serde_json::to_value(job_answer(&report)?) {
                    Ok(serde_json::Value::Object(result)) => result,
                    _ => return Err(ErrorData::internal_error("cannot write the answer", None)),
                };
                let base = task(&job, TaskStatus::Completed, expected);
                DetailedTask::new(base, TaskPayload::Completed { result })
            }
            Look::Here(receiver) => {
                let live = receiver.borrow().clone();
                let status = Status::of(&job, Some(&live), expected);
                let base = task(&job, TaskStatus::Working, expected);
                DetailedTask::new(
                    base.with_status_message(status.message),
                    TaskPayload::Working,
                )
            }
        }
    };
    Ok(GetTaskResult::new(detailed))
}

/// `tasks/cancel`: this process stops following the job (once a submit in flight has its
/// answer recorded) and gives it up; the hub's task is not cancelled.
pub(crate) async fn cancel(handler: &Handler, id: &str) -> Result<(), ErrorData> {
    let job = job_of_task(handler.app(), id).await?;
    if job.state.is_unfinished() {
        handler.cancelled().set().insert(job.id.clone());
        handler.app().drives().let_go(&job.id).await;
    }
    Ok(())
}

/// `tasks/update`: no videohub task asks for input.
pub(crate) async fn update(handler: &Handler, id: &str) -> Result<(), ErrorData> {
    job_of_task(handler.app(), id).await?;
    Err(ErrorData::invalid_params(
        format!("task {id} asks for no input: there is nothing to update"),
        None,
    ))
}

/// The job whose id is the task's (the whole id, not a prefix).
async fn job_of_task(app: &App, id: &str) -> Result<Job, ErrorData> {
    let unknown = || {
        ErrorData::invalid_params(
            format!("unknown task: {id} (a task's id is the id of a job of the journal)"),
            None,
        )
    };
    match app.journal().job(id).await {
        Ok(job) if job.id == id => Ok(job),
        Ok(_) | Err(Error::NoSuchJob { .. } | Error::AmbiguousJob { .. }) => Err(unknown()),
        Err(e) => Err(ErrorData::internal_error(
            format!("cannot read the journal: {e}"),
            None,
        )),
    }
}

/// The task's fields: the job's id and times, no time to live (the journal keeps the job),
/// and a poll interval from the model's usual duration.
fn task(job: &Job, status: TaskStatus, expected: Option<Duration>) -> Task {
    let mut task = Task::new(
        job.id.clone(),
        status,
        rfc3339(job.created_at),
        rfc3339(job.updated_at),
    );
    if !status.is_terminal() {
        task = task.with_poll_interval_ms(poll_interval(expected).as_millis() as u64);
    }
    task
}

/// How often to poll a task of a model that usually takes `expected`: a twentieth of it,
/// between 1 and 30 seconds.
fn poll_interval(expected: Option<Duration>) -> Duration {
    expected.map_or(DEFAULT_POLL, |expected| {
        (expected / POLLS_PER_TASK).clamp(Duration::from_secs(1), Duration::from_secs(30))
    })
}

fn cancelled_message(job: &Job) -> String {
    format!(
        "cancelled here: this server no longer follows job {}. The hub's render is not cancelled (the hub has no cancel): it goes on, and is billed if it completes. The job stays in the journal ({}): get_job continues it and saves its file",
        job.id, job.state
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_follow_the_usual_duration() {
        assert_eq!(poll_interval(None), DEFAULT_POLL);
        let minutes = |m: u64| Some(Duration::from_secs(60 * m));
        assert_eq!(poll_interval(minutes(10)), Duration::from_secs(30));
        assert_eq!(poll_interval(minutes(1)), Duration::from_secs(3));
        assert_eq!(
            poll_interval(Some(Duration::from_secs(5))),
            Duration::from_secs(1)
        );
    }
}
