//! `videohub completions`: a completion script for a shell.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::{Cli, Global};
use crate::output::Failure;

/// `videohub completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Prints the script on standard output.
pub(crate) async fn run(args: CompletionsArgs, _global: &Global) -> Result<ExitCode, Failure> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "videohub",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
