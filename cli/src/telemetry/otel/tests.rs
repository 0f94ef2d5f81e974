//! One trace per job across processes, through the exporter layer and `JobTraces`, into an
//! in-memory exporter: the spans' trace ids, parents, links and attribute names.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{SpanId, SpanKind};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;
use videohub::{Client, PollPolicy};
use videohub_journal::{JobState, Journal, NewJob, Runner};
use videohub_sandbox::{Sandbox, SandboxHandle, TaskDuration};

use super::{JobTraces, layer};

fn runner(journal: Journal, hub: &SandboxHandle) -> Runner {
    let client = Client::builder()
        .api_key("sandbox")
        .base_url(hub.url())
        .build()
        .unwrap();
    Runner::new(journal, client)
        .poll_policy(
            PollPolicy::default()
                .initial_delay(Duration::from_millis(20))
                .max_interval(Duration::from_millis(50)),
        )
        .trace_jobs(Arc::new(JobTraces))
}

/// The span named `name`, when exactly one was exported.
fn one<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found: Vec<_> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "one span {name} in {:?}", names(spans));
    found[0]
}

fn names(spans: &[SpanData]) -> Vec<&str> {
    spans.iter().map(|s| s.name.as_ref()).collect()
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|KeyValue { key: k, .. }| k.as_str() == key)
        .map(|kv| &kv.value)
}

fn text(span: &SpanData, key: &str) -> String {
    match attribute(span, key) {
        Some(value) => value.as_str().into_owned(),
        None => panic!("{} has no {key}: {:?}", span.name, span.attributes),
    }
}

#[tokio::test]
async fn a_job_submitted_by_one_runner_and_finished_by_another_is_one_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(layer(&provider)));
    let hub = Sandbox::builder()
        .durations(TaskDuration::Fixed(Duration::from_millis(30)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite3");
    let veo = videohub::models::find("veo-3.1").expect("compiled in");
    let input = serde_json::json!({"prompt": "a red fox"});
    let new = NewJob::new(
        hub.url(),
        veo,
        input.as_object().cloned().unwrap(),
        dir.path().join("fox.{ext}"),
    );

    // One process submits and stops; another, over the same journal, finishes the job.
    let submitter = Journal::open(&path).await.unwrap();
    let submitted = runner(submitter, &hub)
        .submit(new, |_| {})
        .instrument(tracing::info_span!("videohub.submitter"))
        .await
        .unwrap();
    assert_eq!(submitted.state, JobState::Submitted);
    let worker = Journal::open(&path).await.unwrap();
    let done = runner(worker.clone(), &hub)
        .resume(&submitted.id, |_| {})
        .instrument(tracing::info_span!("videohub.worker"))
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Downloaded);
    provider.force_flush().unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    let jobs: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.name == "video_generation veo-3.1")
        .collect();
    assert_eq!(
        jobs.len(),
        2,
        "a job span in each process: {:?}",
        names(&spans)
    );
    let (first, second) = (jobs[0], jobs[1]);
    let trace = first.span_context.trace_id();
    assert_eq!(second.span_context.trace_id(), trace, "one trace");
    assert_eq!(
        first.parent_span_id,
        SpanId::INVALID,
        "the job's trace starts with it"
    );
    assert_eq!(
        second.parent_span_id,
        first.span_context.span_id(),
        "the later process's span is a child of the first one's"
    );
    assert!(second.parent_span_is_remote);

    let submitter = one(&spans, "videohub.submitter");
    let worker_span = one(&spans, "videohub.worker");
    assert_ne!(submitter.span_context.trace_id(), trace);
    let linked = |job: &SpanData, to: &SpanData| {
        job.links
            .iter()
            .any(|link| link.span_context == to.span_context)
    };
    assert!(
        linked(first, submitter),
        "linked to the submitting process's span"
    );
    assert!(
        linked(second, worker_span),
        "linked to the resuming process's span"
    );

    let task_id = done.task_id.clone().unwrap();
    for job in [first, second] {
        assert_eq!(job.span_kind, SpanKind::Client);
        assert_eq!(text(job, "gen_ai.operation.name"), "video_generation");
        assert_eq!(text(job, "gen_ai.provider.name"), "videohub");
        assert_eq!(text(job, "gen_ai.request.model"), "veo-3.1");
        assert_eq!(text(job, "gen_ai.response.id"), task_id);
        assert_eq!(text(job, "gen_ai.output.type"), "video");
        assert_eq!(text(job, "server.address"), "127.0.0.1");
        assert_eq!(text(job, "videohub.job.id"), done.id);
        assert!(
            attribute(job, "error.type").is_none(),
            "the job did not fail"
        );
    }

    // The submit's HTTP client span under the first; the download under the second.
    let post = one(&spans, "POST");
    assert_eq!(post.parent_span_id, first.span_context.span_id());
    assert_eq!(post.span_kind, SpanKind::Client);
    assert_eq!(text(post, "http.request.method"), "POST");
    assert_eq!(
        attribute(post, "http.response.status_code"),
        Some(&Value::I64(200))
    );
    assert!(
        !spans.iter().any(|s| s.name == "GET"),
        "polls are at debug level, not exported: {:?}",
        names(&spans)
    );
    let download = one(&spans, "videohub.download");
    assert_eq!(download.parent_span_id, second.span_context.span_id());
    assert_eq!(
        attribute(download, "bytes"),
        Some(&Value::I64(done.file_size.unwrap() as i64))
    );
    assert_eq!(attribute(download, "attempts"), Some(&Value::I64(1)));

    // The journal keeps the first span's context as the job's.
    let kept = worker.job(&done.id).await.unwrap().traceparent.unwrap();
    assert_eq!(
        kept,
        format!("00-{trace}-{}-01", first.span_context.span_id())
    );
}
