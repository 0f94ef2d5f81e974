//! The command line, as clap reads it: the global options and the subcommands, each of
//! whose arguments its own module holds.

use clap::{Parser, Subcommand};

use crate::batch::BatchCommand;
use crate::generate::GenerateArgs;
use crate::hub::HubArgs;
use crate::jobs::{HistoryArgs, JobsCommand};
#[cfg(feature = "mcp")]
use crate::mcp::McpArgs;
use crate::models::ModelsCommand;
use crate::sandbox::SandboxArgs;
use crate::store::StoreArgs;
#[cfg(feature = "studio")]
use crate::studio::StudioArgs;
use crate::task::TaskCommand;

/// Generate videos (and images) with the hub's models, from a terminal.
#[derive(Debug, Parser)]
#[command(name = "videohub", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Show the cause of each error.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(flatten)]
    pub hub: HubArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a video (or an image): validate, submit, follow the task, download the result.
    Generate(GenerateArgs),
    /// Follow a task submitted earlier, from its id.
    Task {
        #[command(subcommand)]
        command: TaskCommand,
    },
    /// The journal's jobs: list them, show one, finish the unfinished, retry, forget.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// What was generated: prompt, model, parameters, status, duration, file.
    History(HistoryArgs),
    /// Many generations from a file; a run stopped halfway continues where it stopped.
    Batch {
        #[command(subcommand)]
        command: BatchCommand,
    },
    /// Serve a local sandbox hub for your own code to talk to.
    Sandbox(SandboxArgs),
    /// Open a local gallery of the journal's videos and images and a playground for every model.
    #[cfg(feature = "studio")]
    Studio(StudioArgs),
    /// Serve the Model Context Protocol on standard input and output, for agents.
    #[cfg(feature = "mcp")]
    Mcp(McpArgs),
    /// List the models, show their parameters, compare them with the live hub.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}
