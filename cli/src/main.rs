//! `videohub`: generate videos with the hub's models from a terminal.

mod args;
mod batch;
mod batch_file;
mod batch_progress;
mod codegen;
mod exit;
mod generate;
mod hub;
mod input;
mod jobs;
#[cfg(feature = "mcp")]
mod mcp;
mod models;
mod output;
mod paths;
mod progress;
mod sandbox;
mod schemas;
mod store;
#[cfg(feature = "studio")]
mod studio;
mod task;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use exit::Exit;
use hub::Hub;
use output::Failure;

fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let verbose = cli.verbose;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            return Failure::new(Exit::Api, format!("cannot start the async runtime: {e}"))
                .report(verbose);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => failure.report(verbose),
    }
}

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
        sandbox::SandboxArgs::augment_args(clap::Command::new("sandbox"))
            .about(about)
            .long_about(None)
    })
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    if cli.verbose > 1 {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter("videohub=debug")
            .init();
    }
    match cli.command {
        Command::Models { command } => models::run(command, &cli.hub).await,
        Command::Generate(args) => {
            generate::generate(&Hub::connect(&cli.hub).await?, &cli.store, args).await
        }
        Command::Jobs { command } => jobs::jobs(&cli.hub, &cli.store, command).await,
        Command::History(args) => jobs::history(&cli.store, args).await,
        Command::Batch { command } => batch::run(&cli.hub, &cli.store, command).await,
        Command::Task { command } => {
            task::task(&Hub::connect(&cli.hub).await?, &cli.store, command).await
        }
        Command::Sandbox(args) => sandbox::serve(args).await,
        #[cfg(feature = "studio")]
        Command::Studio(args) => {
            studio::serve(&Hub::connect(&cli.hub).await?, &cli.store, args).await
        }
        #[cfg(feature = "mcp")]
        Command::Mcp(args) => mcp::serve(&Hub::connect(&cli.hub).await?, &cli.store, args).await,
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "videohub",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
