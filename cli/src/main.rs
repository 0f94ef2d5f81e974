//! `videohub`: generate videos with the hub's models from a terminal.

mod args;
mod commands;
mod exit;
mod hub;
mod input;
mod outcome;
mod output;
mod progress;
mod schemas;
mod signals;
mod store;
mod telemetry;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::Cli;
use exit::Exit;
use output::Failure;

fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let verbose = cli.verbose;
    // Declared before the runtime, so dropped after it: the exporter is flushed once the
    // command's tasks are gone, on every way out.
    let _telemetry = telemetry::Telemetry::start(
        verbose,
        cli.command.logs_warnings(),
        cli.command.metrics_addr().is_some(),
    );
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            return Failure::new(Exit::Api, format!("cannot start the async runtime: {e}"))
                .report(verbose);
        }
    };
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => failure.report(verbose),
    };
    // The command has ended: a blocking read still waiting (standard input of an MCP server
    // stopped by a signal while its client keeps it open) is not waited for.
    runtime.shutdown_timeout(STRAGGLERS);
    code
}

/// How long blocking work still running once the command ended may take to finish.
const STRAGGLERS: std::time::Duration = std::time::Duration::from_secs(1);

/// The command line. `videohub sandbox` serves a hub of its own: the flags about which hub
/// to use and where to record jobs, global to every other command, are not among its
/// options (nor in its help).
fn command() -> clap::Command {
    use clap::Args;
    let mut command = Cli::command();
    // The global flags are copied into every subcommand here; `sandbox` is then made again
    // from its own arguments alone.
    command.build();
    command.mut_subcommand("sandbox", |built| {
        let about = built.get_about().cloned().unwrap_or_default();
        commands::sandbox::SandboxArgs::augment_args(clap::Command::new("sandbox"))
            .about(about)
            .long_about(None)
    })
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    commands::run(cli.command, &cli.global).await
}
