//! The command line, as clap reads it: the global options and the subcommands, each of
//! whose arguments its own module in `commands/` holds.

use clap::{Parser, Subcommand};

use crate::commands::batch::BatchArgs;
use crate::commands::completions::CompletionsArgs;
use crate::commands::generate::GenerateArgs;
use crate::commands::history::HistoryArgs;
use crate::commands::jobs::JobsArgs;
#[cfg(feature = "mcp")]
use crate::commands::mcp::McpArgs;
use crate::commands::models::ModelsArgs;
use crate::commands::sandbox::SandboxArgs;
#[cfg(feature = "studio")]
use crate::commands::studio::StudioArgs;
use crate::commands::task::TaskArgs;
use crate::hub::HubArgs;
use crate::store::StoreArgs;

/// Generate videos (and images) with the hub's models, from a terminal.
#[derive(Debug, Parser)]
#[command(name = "videohub", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Show the cause of each error.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

impl Command {
    /// Where the command serves metrics (`--metrics-addr`), when it does.
    pub(crate) fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        match self {
            Command::Batch(batch) => batch.metrics_addr(),
            Command::Jobs(jobs) => jobs.metrics_addr(),
            #[cfg(feature = "studio")]
            Command::Studio(studio) => studio.metrics.metrics_addr,
            #[cfg(feature = "mcp")]
            Command::Mcp(mcp) => mcp.metrics.metrics_addr,
            _ => None,
        }
    }

    /// Whether the command logs its warnings on stderr without `-vv` (`RUST_LOG` choosing
    /// others): the MCP server's, whose standard output carries the protocol alone.
    pub(crate) fn logs_warnings(&self) -> bool {
        match self {
            #[cfg(feature = "mcp")]
            Command::Mcp(_) => true,
            _ => false,
        }
    }
}

/// The options every command takes: which hub, and which journal.
#[derive(Debug, clap::Args)]
pub(crate) struct Global {
    #[command(flatten)]
    pub hub: HubArgs,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a video (or an image): validate, submit, follow the task, download the result.
    Generate(GenerateArgs),
    /// Follow a task submitted earlier, from its id.
    Task(TaskArgs),
    /// The journal's jobs: list them, show one, finish the unfinished, retry, forget.
    Jobs(JobsArgs),
    /// What was generated: prompt, model, parameters, status, duration, file.
    History(HistoryArgs),
    /// Many generations from a file; a run stopped halfway continues where it stopped.
    Batch(BatchArgs),
    /// Serve a local sandbox hub for your own code to talk to.
    Sandbox(SandboxArgs),
    /// Open a local gallery of the journal's videos and images and a playground for every model.
    #[cfg(feature = "studio")]
    Studio(StudioArgs),
    /// Serve the Model Context Protocol on standard input and output, for agents.
    #[cfg(feature = "mcp")]
    Mcp(McpArgs),
    /// List the models, show their parameters, compare them with the live hub.
    Models(ModelsArgs),
    /// Print a completion script for a shell.
    Completions(CompletionsArgs),
}
