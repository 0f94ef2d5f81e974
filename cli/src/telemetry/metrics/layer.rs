//! The `tracing` layer that counts: it reads the spans and events the SDK and the journal
//! emit by name (`videohub.request`, `videohub.download`, `videohub.job`,
//! `videohub.submitted`, `videohub.retry`, `videohub.lease_renewal_failed`) and their
//! fields, so that neither gains a metrics dependency.

use std::sync::Arc;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::{Metrics, Model, Outcome, Request};

/// Counts what the spans and events it sees say happened.
#[derive(Debug)]
pub(in crate::telemetry) struct MetricsLayer(pub(in crate::telemetry) Arc<Metrics>);

/// The fields of a counted span or event, as recorded so far.
#[derive(Debug, Default)]
struct Fields {
    method: Option<String>,
    status: Option<i64>,
    model: Option<String>,
    outcome: Option<String>,
    queue_wait: Option<f64>,
    bytes: Option<i64>,
    delay_ms: Option<u64>,
    refused: bool,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "http.request.method" => self.method = Some(value.to_owned()),
            "gen_ai.request.model" | "model" => self.model = Some(value.to_owned()),
            "videohub.job.outcome" => self.outcome = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match field.name() {
            "http.response.status_code" => self.status = Some(value),
            "bytes" => self.bytes = Some(value),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "delay_ms" {
            self.delay_ms = Some(value);
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "videohub.job.queue_wait_s" {
            self.queue_wait = Some(value);
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "refused" {
            self.refused = value;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // `%` fields (a model, a job id) come as `Display` through here.
        if matches!(field.name(), "gen_ai.request.model" | "model") {
            self.model = Some(format!("{value:?}"));
        }
    }
}

/// A counted span's fields and when it opened.
struct Counted(Fields, Instant);

/// Whether spans named `name` are counted.
fn counted(name: &str) -> bool {
    matches!(
        name,
        "videohub.request" | "videohub.download" | "videohub.job"
    )
}

impl<S> tracing_subscriber::Layer<S> for MetricsLayer
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let name = attrs.metadata().name();
        if !counted(name) {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if name == "videohub.job" {
            self.0.in_flight.inc();
            if let Some(wait) = fields.queue_wait {
                self.0.queue_wait.observe(wait);
            }
        }
        if let Some(span) = ctx.span(id) {
            span.extensions_mut()
                .insert(Counted(fields, Instant::now()));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(Counted(fields, _)) = span.extensions_mut().get_mut::<Counted>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let name = event.metadata().name();
        if !matches!(
            name,
            "videohub.submitted" | "videohub.retry" | "videohub.lease_renewal_failed"
        ) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        match name {
            "videohub.submitted" => {
                let model = fields.model.unwrap_or_default();
                self.0.submitted.get_or_create(&Model { model }).inc();
            }
            "videohub.retry" if fields.refused => {
                let waited = fields.delay_ms.unwrap_or(0) as f64 / 1000.0;
                self.0.rate_limit_wait.inc_by(waited);
            }
            "videohub.lease_renewal_failed" => {
                self.0.lease_renewal_failures.inc();
            }
            _ => {}
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(Counted(fields, opened)) = span.extensions_mut().remove::<Counted>() else {
            return;
        };
        match span.name() {
            "videohub.request" => {
                let request = Request {
                    method: fields.method.unwrap_or_default(),
                    status: fields
                        .status
                        .map_or_else(|| "none".to_owned(), |status| status.to_string()),
                };
                self.0.requests.get_or_create(&request).inc();
            }
            "videohub.download" => {
                let bytes = fields.bytes.unwrap_or(0);
                self.0.downloaded.inc_by(u64::try_from(bytes).unwrap_or(0));
            }
            "videohub.job" => {
                self.0.in_flight.dec();
                let outcome = Outcome {
                    model: fields.model.unwrap_or_default(),
                    outcome: fields.outcome.unwrap_or_else(|| "stopped".to_owned()),
                };
                self.0.finished.get_or_create(&outcome).inc();
                self.0.job_duration.observe(opened.elapsed().as_secs_f64());
            }
            _ => {}
        }
    }
}
