//! OpenMetrics on `http://ADDR/metrics` for `--metrics-addr`: counters and histograms of
//! this process's work, fed by the `tracing` spans and events of the SDK and the journal
//! ([`layer`]), and the journal's jobs by state, read when scraped, so that every worker
//! reports the whole fleet's queue.

mod layer;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};
use videohub_journal::{JobState, Journal};

pub(super) use layer::MetricsLayer;

/// The metrics of this process, once `--metrics-addr` asked for them.
static METRICS: OnceLock<Arc<Metrics>> = OnceLock::new();

/// The metrics of this process, made on first use.
pub(super) fn metrics() -> Arc<Metrics> {
    METRICS.get_or_init(|| Arc::new(Metrics::new())).clone()
}

/// A request to the hub, by method and HTTP status (`none` when no answer came).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    status: String,
}

/// A model.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Model {
    model: String,
}

/// How a job's work in this process ended: its state, or `stopped` (stopped short here).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    model: String,
    outcome: String,
}

/// A job state.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct State {
    state: &'static str,
}

/// Every metric served, named after Prometheus's conventions (`videohub_…`, `_total` for
/// counters, `_seconds` and `_bytes` for units).
#[derive(Debug)]
pub(super) struct Metrics {
    registry: Registry,
    jobs: Family<State, Gauge>,
    oldest_unfinished: Gauge<f64, AtomicU64>,
    in_flight: Gauge,
    submitted: Family<Model, Counter>,
    finished: Family<Outcome, Counter>,
    job_duration: Histogram,
    queue_wait: Histogram,
    requests: Family<Request, Counter>,
    rate_limit_wait: Counter<f64, AtomicU64>,
    downloaded: Counter,
    lease_renewal_failures: Counter,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("videohub");
        // From a second to an hour and more: 1, 2, 4, … 4096 s.
        let durations = || Histogram::new(exponential_buckets(1.0, 2.0, 13));
        let metrics = Metrics {
            registry: Registry::default(),
            jobs: Family::default(),
            oldest_unfinished: Gauge::default(),
            in_flight: Gauge::default(),
            submitted: Family::default(),
            finished: Family::default(),
            job_duration: durations(),
            queue_wait: durations(),
            requests: Family::default(),
            rate_limit_wait: Counter::default(),
            downloaded: Counter::default(),
            lease_renewal_failures: Counter::default(),
        };
        registry.register(
            "jobs",
            "Jobs of the journal by state, whichever process holds them (read when scraped)",
            metrics.jobs.clone(),
        );
        registry.register_with_unit(
            "oldest_unfinished_job_age",
            "How long ago the oldest unfinished job of the journal was recorded (0 when none is)",
            Unit::Seconds,
            metrics.oldest_unfinished.clone(),
        );
        registry.register(
            "jobs_in_flight",
            "Jobs this process is driving now",
            metrics.in_flight.clone(),
        );
        registry.register(
            "jobs_submitted",
            "Submits the hub took (a task created), by model",
            metrics.submitted.clone(),
        );
        registry.register(
            "jobs_finished",
            "Jobs this process stopped driving, by model and outcome (the job's state, or \
             `stopped` when it stopped short here)",
            metrics.finished.clone(),
        );
        registry.register_with_unit(
            "job_duration",
            "How long this process drove a job",
            Unit::Seconds,
            metrics.job_duration.clone(),
        );
        registry.register_with_unit(
            "job_queue_wait",
            "How long a job waited between being recorded and this process taking it, unsent",
            Unit::Seconds,
            metrics.queue_wait.clone(),
        );
        registry.register(
            "hub_requests",
            "Requests to the hub by method and the HTTP status of their last try",
            metrics.requests.clone(),
        );
        registry.register_with_unit(
            "rate_limit_wait",
            "Time spent waiting before a retry the hub asked for (429, 503 with Retry-After)",
            Unit::Seconds,
            metrics.rate_limit_wait.clone(),
        );
        registry.register_with_unit(
            "downloaded",
            "Bytes of the files downloaded (a continued download counts its whole file)",
            Unit::Bytes,
            metrics.downloaded.clone(),
        );
        registry.register(
            "lease_renewal_failures",
            "Renewals of a job's lease that failed (another worker may take the job)",
            metrics.lease_renewal_failures.clone(),
        );
        registry.register(
            "build",
            "The videohub binary serving these metrics",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// The OpenMetrics text of every metric, the journal's counts read now.
    async fn scrape(&self, journal: &Journal) -> Result<String, String> {
        let fleet = journal.fleet().await.map_err(|e| e.to_string())?;
        for state in JobState::ALL {
            let count = fleet.states.get(&state).copied().unwrap_or(0);
            self.jobs
                .get_or_create(&State {
                    state: state.as_str(),
                })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        let age = fleet.oldest_unfinished.map_or(0.0, |recorded| {
            SystemTime::now()
                .duration_since(recorded)
                .unwrap_or_default()
                .as_secs_f64()
        });
        self.oldest_unfinished.set(age);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|e| e.to_string())?;
        Ok(text)
    }
}

/// The server of `/metrics`, stopped when dropped.
#[derive(Debug)]
pub(crate) struct MetricsServer(tokio::task::JoinHandle<()>);

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves `/metrics` on `addr` with the counts of `journal`, saying where on stderr.
pub(crate) async fn serve(addr: SocketAddr, journal: Journal) -> std::io::Result<MetricsServer> {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("metrics on http://{}/metrics", listener.local_addr()?);
    let metrics = metrics();
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (metrics, journal) = (metrics.clone(), journal.clone());
            async move {
                match metrics.scrape(&journal).await {
                    Ok(text) => (
                        [(
                            header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        text,
                    )
                        .into_response(),
                    Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
                }
            }
        }),
    );
    Ok(MetricsServer(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("the metrics server stopped: {e}");
        }
    })))
}
