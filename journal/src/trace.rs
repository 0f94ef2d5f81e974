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
/// `gen_ai.response.id` (the task id) and `error.type` are recorded when it ends, by
/// [`ended`]. A root span when `root`, else a child of the current one.
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
        gen_ai.response.id = job.task_id.as_deref(),
        server.address = server.as_str(),
        videohub.job.id = %job.id,
        videohub.batch.id = batch,
        error.type = tracing::field::Empty,
    )
}

/// Records on a job's span how its work here ended: the task id, and `error.type` when the
/// job failed on the hub (its state) or stopped short here (the error's kind).
pub(crate) fn ended(span: &tracing::Span, outcome: &crate::Result<Job>) {
    match outcome {
        Ok(job) => {
            if let Some(task) = &job.task_id {
                span.record("gen_ai.response.id", task.as_str());
            }
            if matches!(
                job.state,
                JobState::Failed
                    | JobState::Timeout
                    | JobState::Cancelled
                    | JobState::OutcomeUnknown
            ) {
                span.record("error.type", job.state.as_str());
            }
        }
        Err(error) => {
            span.record("error.type", error_kind(error).as_str());
        }
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
