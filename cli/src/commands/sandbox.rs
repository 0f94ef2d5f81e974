//! `videohub sandbox`: a local hub on a fixed port, for people pointing their own code at it.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use videohub_sandbox::{Sandbox, SandboxHandle};

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::{DEFAULT_TIME_SCALE, fresh};
use crate::output::Failure;
use crate::output::outln;

/// `videohub sandbox`.
#[derive(Debug, clap::Args)]
pub(crate) struct SandboxArgs {
    /// The port to listen on (on 127.0.0.1); videos are served on the next one. With 0, two
    /// free ports are picked, and the banner names them.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Faults to inject, e.g. `seed=7,rate=0.2,kinds=500+429`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// How fast simulated time runs: 1 is real time, 0.01 makes a minute last 0.6 s.
    #[arg(long, value_name = "X")]
    pub time_scale: Option<f64>,
    /// The most tasks held at once; a submit beyond them gets 429 until finished tasks
    /// past their retention (10 simulated minutes) make room.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_tasks: usize,
}

/// Serves the sandbox until Ctrl-C.
pub(crate) async fn run(args: SandboxArgs, _global: &Global) -> Result<ExitCode, Failure> {
    let faults = match &args.faults {
        Some(spec) => spec
            .parse()
            .map_err(|e| Failure::usage(format!("`--faults {spec}`: {e}")))?,
        None => fresh(),
    };
    let files_port = args
        .port
        .checked_add(1)
        .ok_or_else(|| Failure::usage("the port must be below 65535"))?;
    let banner = |sandbox: &SandboxHandle| {
        outln!(
            "sandbox hub on {} (videos on {})",
            sandbox.url(),
            sandbox.download_url()
        );
        outln!(
            "  export MOUNTSEA_BASE_URL={} MOUNTSEA_API_KEY=sandbox",
            sandbox.url()
        );
        outln!(
            "  counters: {}/__sandbox/counters; Ctrl-C stops it",
            sandbox.url()
        );
    };
    Sandbox::builder()
        .time_scale(args.time_scale.unwrap_or(DEFAULT_TIME_SCALE))
        .faults(faults)
        .max_tasks(args.max_tasks)
        .serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
            banner,
            tokio::signal::ctrl_c(),
        )
        .await
        .map_err(|e| {
            let ports = match args.port {
                0 => "two free ports".to_owned(),
                port => format!("ports {port} and {files_port}"),
            };
            Failure::new(Exit::Api, format!("cannot listen on {ports}: {e}"))
        })?
        .map_err(|e| Failure::new(Exit::Api, e))?;
    Ok(ExitCode::SUCCESS)
}
