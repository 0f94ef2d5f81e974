//! The subcommands: one module each, holding its clap arguments and one entry point of the
//! same shape, `run(args, &Global) -> Result<ExitCode, Failure>`. What several commands
//! share lives beside this folder (`hub`, `store`, `outcome`, `progress`, `output`), and
//! what the studio and the MCP server share with them lives in the `videohub-app` crate.

pub(crate) mod batch;
pub(crate) mod completions;
pub(crate) mod generate;
pub(crate) mod history;
pub(crate) mod jobs;
#[cfg(feature = "mcp")]
pub(crate) mod mcp;
pub(crate) mod models;
pub(crate) mod sandbox;
#[cfg(feature = "studio")]
pub(crate) mod studio;
pub(crate) mod task;

use std::process::ExitCode;

use crate::args::{Command, Global};
use crate::output::Failure;

/// Runs `command` with the global options.
pub(crate) async fn run(command: Command, global: &Global) -> Result<ExitCode, Failure> {
    match command {
        Command::Generate(args) => generate::run(args, global).await,
        Command::Task(args) => task::run(args, global).await,
        Command::Jobs(args) => jobs::run(args, global).await,
        Command::History(args) => history::run(args, global).await,
        Command::Batch(args) => batch::run(args, global).await,
        Command::Sandbox(args) => sandbox::run(args, global).await,
        #[cfg(feature = "studio")]
        Command::Studio(args) => studio::run(args, global).await,
        #[cfg(feature = "mcp")]
        Command::Mcp(args) => mcp::run(args, global).await,
        Command::Models(args) => models::run(args, global).await,
        Command::Completions(args) => completions::run(args, global).await,
    }
}
