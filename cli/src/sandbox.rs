//! `videohub sandbox`: a local hub on a fixed port, for people pointing their own code at it.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use videohub_sandbox::{FaultSpec, Sandbox};

use crate::args::SandboxArgs;
use crate::output::{Exit, Failure};

/// How fast simulated time runs in the sandbox unless told otherwise: a one-minute task
/// takes three seconds.
pub(crate) const DEFAULT_TIME_SCALE: f64 = 0.05;

pub(crate) async fn serve(args: SandboxArgs) -> Result<ExitCode, Failure> {
    let mut builder = Sandbox::builder().time_scale(args.time_scale.unwrap_or(DEFAULT_TIME_SCALE));
    if let Some(spec) = &args.faults {
        let faults: FaultSpec = spec
            .parse()
            .map_err(|e| Failure::usage(format!("`--faults {spec}`: {e}")))?;
        builder = builder.faults(faults);
    }
    let files_port = args
        .port
        .checked_add(1)
        .ok_or_else(|| Failure::usage("the port must be below 65535"))?;
    let sandbox = builder
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .download_bind(SocketAddr::from((Ipv4Addr::LOCALHOST, files_port)))
        .start()
        .await
        .map_err(|e| {
            Failure::new(
                Exit::Api,
                format!("cannot listen on ports {} and {files_port}: {e}", args.port),
            )
        })?;
    println!(
        "sandbox hub on {} (videos on {})",
        sandbox.url(),
        sandbox.download_url()
    );
    println!(
        "  export MOUNTSEA_BASE_URL={} MOUNTSEA_API_KEY=sandbox",
        sandbox.url()
    );
    println!(
        "  counters: {}/__sandbox/counters; Ctrl-C stops it",
        sandbox.url()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::new(Exit::Api, e))?;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
