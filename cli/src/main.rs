//! `videohub`: generate videos with the hub's models from a terminal.

mod args;
mod batch;
mod batch_progress;
mod codegen;
mod generate;
mod hub;
mod input;
mod jobs;
mod models;
mod output;
mod progress;
mod sandbox;
mod schemas;
mod store;
mod studio;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};
use hub::Hub;
use output::{Exit, Failure};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Task { command } => generate::task(&Hub::connect(&cli.hub).await?, command).await,
        Command::Sandbox(args) => sandbox::serve(args).await,
        Command::Studio(args) => {
            studio::serve(&Hub::connect(&cli.hub).await?, &cli.store, args).await
        }
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
