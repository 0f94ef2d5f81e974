//! One trace per job, across processes: the span of a job's work in a process, named after
//! OpenTelemetry's GenAI conventions, and the hook that puts it in the job's trace.
//!
//! The journal emits `tracing` spans only. A process that exports traces sets a
//! [`JobTrace`] on its [`Runner`](crate::Runner): the first process to drive a job starts
//! the job's trace and the journal keeps its W3C `traceparent` on the job's row; every
//! later process (a `resume`, a worker taking the job over) opens its span as a child of
//! that context, linked to the span it was in (a batch run's, say), so that a batch of
//! 100,000 jobs is 100,000 small traces rather than one.

use std::fmt::Debug;

use videohub::Capability;

use crate::job::Job;
use crate::state::JobState;

/// Puts a job's span in the job's trace. Set on a runner with
/// [`Runner::trace_jobs`](crate::Runner::trace_jobs); without one, a job's span is a child
/// of whatever span drives it, and no trace context is kept.
pub trait JobTrace: Debug + Send + Sync {
    /// Makes `span`, a job's span just opened (with no parent, never entered yet), a child
    /// of `traceparent` when the job has one, or else the root of a new trace; either way
    /// linked to the span current when it was opened. Returns the job's `traceparent`
    /// (the one given, or that of the new trace), or `None` when this span is not traced.
    fn enter(&self, span: &tracing::Span, traceparent: Option<&str>) -> Option<String>;
}

/// The span of a job's work in this process: `{gen_ai.operation.name}
/// {gen_ai.request.model}` (e.g. `video_generation veo-3.1`) with the GenAI attributes;
/// `videohub.job.queue_wait_s` is set for a pending job; `gen_ai.response.id` (the task
/// id, known then or not), `videohub.job.outcome` and `error.type` are recorded when it
/// ends, by [`ended`]. A root span when `root`, else a child of the current one.
pub(crate) fn job_span(job: &Job, batch: Option<&str>, root: bool) -> tracing::Span {
    let operation = operation_name(job.capability());
    let parent = if root {
        None
    } else {
        tracing::Span::current().id()
    };
    let server = url::Url::parse(&job.hub)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let name = format!("{operation} {}", job.model);
    tracing::info_span!(
        parent: parent,
        "videohub.job",
        otel.name = %name,
        otel.kind = "client",
        gen_ai.operation.name = operation,
        gen_ai.provider.name = PROVIDER,
        gen_ai.request.model = %job.model,
        gen_ai.output.type = output_type(job.capability()),
        gen_ai.response.id = tracing::field::Empty,
        server.address = server.as_str(),
        videohub.job.id = %job.id,
        videohub.batch.id = batch,
        videohub.job.queue_wait_s = queue_wait(job),
        videohub.job.outcome = tracing::field::Empty,
        error.type = tracing::field::Empty,
    )
}

/// How long a pending job waited since it was recorded, in seconds; `None` for a job past
/// its submit (its wait in the queue was counted by the process that sent it).
fn queue_wait(job: &Job) -> Option<f64> {
    (job.state == JobState::Pending).then(|| {
        std::time::SystemTime::now()
            .duration_since(job.created_at)
            .unwrap_or_default()
            .as_secs_f64()
    })
}

/// Records on a job's span how its work here ended: the task id (`task`, the one known
/// when it began, for a job that stopped short), `videohub.job.outcome` (its state, or
/// `stopped` when it stopped short here), and `error.type` when the job failed on the hub
/// (its state) or stopped short here (the error's kind).
pub(crate) fn ended(span: &tracing::Span, outcome: &crate::Result<Job>, task: Option<&str>) {
    let task = match outcome {
        Ok(job) => job.task_id.as_deref(),
        Err(_) => task,
    };
    if let Some(task) = task {
        span.record("gen_ai.response.id", task);
    }
    let state = match outcome {
        Ok(job) => job.state.as_str(),
        Err(_) => "stopped",
    };
    span.record("videohub.job.outcome", state);
    let error = match outcome {
        Ok(job) => match job.state {
            JobState::Failed
            | JobState::Timeout
            | JobState::Cancelled
            | JobState::OutcomeUnknown => Some(job.state.as_str().to_owned()),
            _ => None,
        },
        Err(error) => Some(error_kind(error)),
    };
    if let Some(error) = error {
        span.record("error.type", error.as_str());
    }
}

/// `gen_ai.provider.name`: the hub the SDK talks to.
const PROVIDER: &str = "videohub";

/// `gen_ai.operation.name` for what a job generates.
fn operation_name(capability: Option<Capability>) -> &'static str {
    match capability {
        Some(Capability::Video) => "video_generation",
        Some(Capability::Image) => "image_generation",
        Some(Capability::Audio) => "audio_generation",
        Some(Capability::Transcribe) => "transcription",
        None => "generation",
    }
}

/// `gen_ai.output.type`: the kind of what a job makes.
fn output_type(capability: Option<Capability>) -> &'static str {
    match capability.and_then(Capability::output) {
        Some(media) => media.as_str(),
        None => "text",
    }
}

/// The kind of an error, low in cardinality as `error.type` should be: the name of its
/// variant (e.g. `Hub`, `Busy`).
fn error_kind(error: &crate::Error) -> String {
    let debug = format!("{error:?}");
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_named_for_what_they_make() {
        assert_eq!(operation_name(Some(Capability::Video)), "video_generation");
        assert_eq!(
            operation_name(Some(Capability::Transcribe)),
            "transcription"
        );
        assert_eq!(output_type(Some(Capability::Video)), "video");
        assert_eq!(output_type(Some(Capability::Transcribe)), "text");
    }

    #[test]
    fn an_error_type_is_its_variant() {
        let error = crate::Error::NoSuchJob { id: "x".into() };
        assert_eq!(error_kind(&error), "NoSuchJob");
    }
}
