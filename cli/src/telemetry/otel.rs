//! Traces over OTLP/HTTP, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. The standard
//! variables are honoured by the SDK and the exporter: `OTEL_EXPORTER_OTLP_PROTOCOL`
//! (`http/protobuf`, the default, or `http/json`), `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_SERVICE_NAME` (`videohub` when unset),
//! `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
//!
//! Spans at info level and above are exported (a poll's request span, at debug level, is
//! not). A job's spans join the job's trace across processes through [`JobTraces`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};
use videohub_journal::JobTrace;

use super::http::BlockingClient;

/// Whether this process exports traces.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether this process exports traces (a [`Traces`] was made).
pub(super) fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// The tracer provider of this process; flushed and shut down when dropped.
#[derive(Debug)]
pub(super) struct Traces {
    provider: SdkTracerProvider,
}

impl Traces {
    /// The exporter the environment asks for: `None` when `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// (nor its traces variant) is not set.
    pub(super) fn from_env() -> Result<Option<Traces>, opentelemetry_otlp::ExporterBuildError> {
        let asked = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
        if !asked {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(BlockingClient::default())
            .with_timeout(super::http::TIMEOUT)
            .build()?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource())
            .build();
        EXPORTING.store(true, Ordering::Relaxed);
        Ok(Some(Traces { provider }))
    }

    /// The layer that turns `tracing` spans of videohub's crates at info level and above
    /// into OpenTelemetry spans.
    pub(super) fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        layer(&self.provider)
    }
}

/// How long the last export may take when the process ends: a request's own timeout and a
/// margin (the SDK's default, 5 s, gave up on a collector slower than that while the request
/// itself could still succeed, and the spans that ended last were lost).
const LAST_EXPORT: std::time::Duration =
    super::http::TIMEOUT.saturating_add(std::time::Duration::from_secs(5));

impl Drop for Traces {
    fn drop(&mut self) {
        if let Err(e) = self.provider.shutdown_with_timeout(LAST_EXPORT) {
            eprintln!("warning: the last traces may not have been exported: {e}");
        }
    }
}

/// The layer exporting to `provider`.
pub(super) fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + use<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("videohub"))
        .with_filter(EnvFilter::new("videohub=info"))
}

/// This process's resource: the environment's (`OTEL_SERVICE_NAME`,
/// `OTEL_RESOURCE_ATTRIBUTES`), with `service.name` `videohub` when it names none.
fn resource() -> Resource {
    let builder = Resource::builder();
    let named = std::env::var_os("OTEL_SERVICE_NAME").is_some_and(|name| !name.is_empty())
        || std::env::var("OTEL_RESOURCE_ATTRIBUTES")
            .is_ok_and(|attributes| attributes.contains("service.name="));
    if named {
        builder.build()
    } else {
        builder.with_service_name("videohub").build()
    }
}

/// Puts a job's span in the job's trace with the W3C trace-context format: a child of the
/// job's `traceparent` when it has one, else the root of a new trace; linked to the span
/// that was current (a batch run's, a `jobs resume`'s).
#[derive(Debug)]
pub(super) struct JobTraces;

impl JobTrace for JobTraces {
    fn enter(&self, span: &tracing::Span, traceparent: Option<&str>) -> Option<String> {
        let propagator = TraceContextPropagator::new();
        if let Some(traceparent) = traceparent {
            let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
            let parent = propagator.extract(&carrier);
            if parent.span().span_context().is_valid() {
                let _ = span.set_parent(parent);
            }
        }
        let current = tracing::Span::current().context();
        let current = current.span().span_context().clone();
        if current.is_valid() {
            span.add_link(current);
        }
        let own = span.context();
        if !own.span().span_context().is_valid() {
            return None;
        }
        let mut carrier = HashMap::new();
        propagator.inject_context(&own, &mut carrier);
        traceparent
            .map(str::to_owned)
            .or_else(|| carrier.remove("traceparent"))
    }
}

#[cfg(test)]
mod tests;
