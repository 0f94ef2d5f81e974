//! The command line, as clap reads it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use videohub::schema::Category;

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

/// Which hub to talk to.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HubArgs {
    /// Run against an in-process sandbox hub: no key needed, nothing is billed.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// The hub's API key.
    #[arg(long, global = true, env = "MOUNTSEA_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The hub's base URL.
    #[arg(long, global = true, env = "MOUNTSEA_BASE_URL")]
    pub base_url: Option<String>,
    /// The largest file a download saves, e.g. `500MB` or `2GiB` (default 8 GiB).
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
}

/// Where jobs are recorded.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StoreArgs {
    /// The journal: a SQLite file (default: `$XDG_DATA_HOME/videohub/journal.sqlite3`), or
    /// a `postgres://` URL that several workers share.
    #[arg(
        long,
        global = true,
        env = "VIDEOHUB_STORE",
        value_name = "FILE_OR_URL"
    )]
    pub store: Option<String>,
    /// Record nothing (wins over `--store`): a job killed after its submit cannot be resumed.
    #[arg(long, global = true)]
    pub no_store: bool,
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
    Studio(StudioArgs),
    /// Serve the Model Context Protocol on standard input and output, for agents.
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

#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// List every model videohub knows, with its category and vendor.
    List {
        /// Only the models of this category (e.g. text-to-video).
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one model's parameters: types, defaults, allowed values, ranges.
    Show {
        /// The model id, e.g. veo-3.1.
        id: String,
        /// Print the schema as JSON, in the layout of the hub's model list.
        #[arg(long)]
        json: bool,
    },
    /// Compare every compiled model with the live hub (exit 4 when they differ).
    Check {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write `#[video_model]` structs from the live hub's schemas, ready for your own crate.
    Codegen {
        /// The model ids.
        #[arg(
            required_unless_present = "all_missing",
            conflicts_with = "all_missing"
        )]
        ids: Vec<String>,
        /// Every model the hub lists that videohub does not compile.
        #[arg(long)]
        all_missing: bool,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// `videohub generate`.
#[derive(Debug, clap::Args)]
pub(crate) struct GenerateArgs {
    /// The model id, e.g. veo-3.1 (`videohub models list`).
    pub model: String,
    /// What the video (or image) shows.
    #[arg(short, long)]
    pub prompt: Option<String>,
    /// A parameter, e.g. `--set duration=4s` (`videohub models show <model>` lists them).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// An image: an http(s) URL, or a local file sent inline.
    #[arg(long = "image", value_name = "URL_OR_FILE")]
    pub images: Vec<String>,
    /// Print the task id and exit without waiting.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// How to wait for a task and where its file goes.
#[derive(Debug, clap::Args)]
pub(crate) struct WaitArgs {
    /// Where to save the file (default: `<model>-<task id>.mp4` here, `.png` for an image).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Stop waiting after this long, e.g. `10m` (the task goes on).
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Print one JSON result, and no progress.
    #[arg(long)]
    pub json: bool,
}

/// `videohub task …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TaskCommand {
    /// Show a task's status once.
    Status {
        /// The task id.
        id: String,
        /// Print the hub's answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Wait for a task and download its file.
    Wait {
        /// The task id.
        id: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Download the file of a finished task, without waiting.
    Download {
        /// The task id.
        id: String,
        /// Where to save the file (default: `task-<task id>.mp4` here, `.png` for an image).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Print one JSON result.
        #[arg(long)]
        json: bool,
    },
}

/// `videohub jobs …`.
#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// The unfinished jobs (every job with `--all`), newest first.
    List {
        /// Every job, finished ones too.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One job: its input, task, file, and every change of its state.
    Show {
        /// The job id (a unique prefix is enough).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Finish every unfinished job of this hub: submit the unsent, poll, download.
    Resume {
        /// Only these jobs.
        ids: Vec<String>,
        /// Print one JSON line per job.
        #[arg(long)]
        json: bool,
    },
    /// Submit a failed job again (`--force` for one whose first submit may have created a task).
    Retry {
        /// The job id.
        id: String,
        /// Submit a job whose outcome is unknown again, at the risk of a second billed task.
        #[arg(long)]
        force: bool,
        /// Record it as pending without running it (`videohub jobs resume` runs it).
        #[arg(long)]
        no_wait: bool,
    },
    /// Remove a job from the journal (its saved file stays).
    Forget {
        /// The job id.
        id: String,
        /// Forget a job still in progress too.
        #[arg(long)]
        force: bool,
    },
}

/// `videohub batch …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Validate every line, then generate them all, several at once.
    Run(BatchRunArgs),
    /// How far the lines of a batch file are, as the journal knows them.
    Status(BatchFileArgs),
}

/// The batch file.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BatchFileArgs {
    /// JSON lines, each `{"model": …, "input": {…}, "output": "file.mp4"}` (output
    /// optional), or CSV with a header of parameter names (`.csv`, with --model); `-` reads
    /// JSON lines from standard input.
    pub file: PathBuf,
    /// The model of every line of a CSV file.
    #[arg(long)]
    pub model: Option<String>,
    /// Where the videos (or images) go.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// The file name of each output in --out, from `{model}`, `{task_id}`, `{job_id}`,
    /// `{line}` and `{ext}` (the extension of the model's files: mp4, png).
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "{model}-{line}-{task_id}.{ext}"
    )]
    pub name: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `videohub batch run`.
#[derive(Debug, clap::Args)]
pub(crate) struct BatchRunArgs {
    #[command(flatten)]
    pub file: BatchFileArgs,
    /// Generations in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Check every line and say what would run; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run the valid lines even when others are invalid.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Pay again: submit every line as a new task, even one already downloaded in this
    /// journal (by default its file is reused).
    #[arg(long)]
    pub again: bool,
}

/// `videohub history`.
#[derive(Debug, clap::Args)]
pub(crate) struct HistoryArgs {
    /// Only this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only this status (e.g. downloaded, failed, outcome_unknown).
    #[arg(long, value_parser = parse_state)]
    pub status: Option<videohub_journal::JobState>,
    /// Only jobs whose prompt or parameters contain this text.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `videohub sandbox`.
#[derive(Debug, clap::Args)]
pub(crate) struct SandboxArgs {
    /// The port to listen on (on 127.0.0.1).
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

/// `videohub studio`.
#[derive(Debug, clap::Args)]
pub(crate) struct StudioArgs {
    /// The port to listen on (on 127.0.0.1 only).
    #[arg(long, default_value_t = 8790)]
    pub port: u16,
    /// Do not open the page in the default browser.
    #[arg(long)]
    pub no_open: bool,
    /// Where generated videos and images are saved.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub output_dir: PathBuf,
}

/// `videohub mcp`.
#[derive(Debug, clap::Args)]
pub(crate) struct McpArgs {
    /// Serve the streamable-HTTP transport at http://ADDR/mcp instead (e.g. 127.0.0.1:8791).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,
    /// Where generated videos and images are saved (default: `videohub` in the videos folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

fn parse_category(text: &str) -> Result<Category, String> {
    text.parse()
        .map_err(|e: videohub::schema::UnknownCategory| e.to_string())
}

fn parse_size(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|e| format!("{e} (e.g. 500MB, 2GiB)"))
}

fn parse_state(text: &str) -> Result<videohub_journal::JobState, String> {
    text.parse()
        .map_err(|e: videohub_journal::UnknownState| e.to_string())
}
