//! What the binary reports about its work: `-vv` logs on stderr, metrics on `/metrics`
//! for `--metrics-addr` (see [`metrics`]), and, with the `otel` feature, traces exported
//! over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (see [`otel`]). The SDK and the
//! journal emit `tracing` spans only; this module turns them into what is asked for.

#[cfg(feature = "otel")]
mod http;
mod metrics;
#[cfg(feature = "otel")]
mod otel;

use std::net::SocketAddr;

use crate::output::Failure;
use metrics::MetricsServer;

/// `--metrics-addr`, for the commands that run for long: `batch run`, `jobs resume`, the
/// studio and the MCP server.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct MetricsArgs {
    /// Serve metrics (OpenMetrics text, for Prometheus) on http://ADDR/metrics, e.g.
    /// 127.0.0.1:9464: jobs by state (the whole journal's), jobs in flight here, submits,
    /// finished jobs, durations, hub requests, downloaded bytes.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

impl MetricsArgs {
    /// Serves `/metrics` with `journal`'s counts while the returned server lives, when
    /// `--metrics-addr` asked for it.
    pub(crate) async fn serve(
        &self,
        journal: &videohub_journal::Journal,
    ) -> Result<Option<MetricsServer>, Failure> {
        let Some(addr) = self.metrics_addr else {
            return Ok(None);
        };
        metrics::serve(addr, journal.clone())
            .await
            .map(Some)
            .map_err(|e| Failure::usage(format!("cannot serve metrics on {addr}: {e}")))
    }
}

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};
use videohub_journal::Runner;

/// What this process reports to, set up by [`Telemetry::start`]: while it lives, spans go
/// to the exporter; dropping it flushes and shuts the exporter down, so a guard held by
/// `main` ends every way out of the process but a kill.
#[derive(Debug)]
pub(crate) struct Telemetry {
    /// Held for its `Drop`, which flushes the exporter.
    #[cfg(feature = "otel")]
    _traces: Option<otel::Traces>,
}

impl Telemetry {
    /// Logs to stderr at debug level for `-vv` (`verbose` > 1), or warnings (or what
    /// `RUST_LOG` asks for) when `warnings`; counts for `/metrics` when `metrics` (the
    /// command serves them); and exports traces when the environment asks for them. A
    /// global subscriber is set only when one of them is on, so that a process reporting
    /// nothing pays nothing for its spans. An exporter that cannot be made is said on
    /// stderr, and the command runs without it.
    pub(crate) fn start(verbose: u8, warnings: bool, metrics: bool) -> Telemetry {
        let filter = if verbose > 1 {
            Some(EnvFilter::new("videohub=debug"))
        } else if warnings {
            Some(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")))
        } else {
            None
        };
        let logs = filter.map(|filter| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(filter)
        });
        let counts = metrics.then(|| {
            metrics::MetricsLayer(metrics::metrics()).with_filter(EnvFilter::new("videohub=debug"))
        });
        #[cfg(feature = "otel")]
        {
            let traces = match otel::Traces::from_env() {
                Ok(traces) => traces,
                Err(e) => {
                    eprintln!("warning: traces are not exported: {e}");
                    None
                }
            };
            let layer = traces.as_ref().map(otel::Traces::layer);
            if logs.is_some() || counts.is_some() || layer.is_some() {
                let _ = tracing_subscriber::registry()
                    .with(logs)
                    .with(counts)
                    .with(layer)
                    .try_init();
            }
            Telemetry { _traces: traces }
        }
        #[cfg(not(feature = "otel"))]
        {
            if logs.is_some() || counts.is_some() {
                let _ = tracing_subscriber::registry()
                    .with(logs)
                    .with(counts)
                    .try_init();
            }
            Telemetry {}
        }
    }
}

/// `runner`, opening each job's spans in the job's own trace when traces are exported.
pub(crate) fn traced(runner: Runner) -> Runner {
    #[cfg(feature = "otel")]
    if otel::exporting() {
        return runner.trace_jobs(std::sync::Arc::new(otel::JobTraces));
    }
    runner
}
