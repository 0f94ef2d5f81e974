//! `videohub batch run|status`: many generations from a file, each line validated before
//! anything is sent, run through the journal so that a run stopped halfway (or killed)
//! continues where it stopped.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use futures::StreamExt;
use serde_json::{Value, json};
use videohub_journal::{BatchLines, Job, JobState, Runner};

mod file;
mod progress;

use self::file::{BatchFile, BatchFileArgs, check_batch};
use self::progress::{BatchProgress, Pace};
use crate::args::Global;
use crate::exit::Exit;
use crate::hub::Hub;
use crate::outcome::ended;
use crate::output::{Failure, outln, print_json};
use crate::store;

/// `videohub batch …`.
#[derive(Debug, clap::Args)]
pub(crate) struct BatchArgs {
    #[command(subcommand)]
    command: BatchCommand,
}

/// `videohub batch run|status`.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Validate every line, then generate them all, several at once.
    Run(BatchRunArgs),
    /// How far the lines of a batch file are, as the journal knows them.
    Status(BatchFileArgs),
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

/// `videohub batch run|status`.
pub(crate) async fn run(args: BatchArgs, global: &Global) -> Result<ExitCode, Failure> {
    let (hub_args, store_args) = (&global.hub, &global.store);
    match args.command {
        BatchCommand::Run(args) => {
            let hub = if args.dry_run {
                Hub::connect_to_check(hub_args).await?
            } else {
                Hub::connect(hub_args).await?
            };
            let file = BatchFile::open(&args.file)?;
            // A dry run only checks the lines; a run also counts them into the batch's
            // line keys and id, and reads them again to record them.
            let mut lines = (!args.dry_run).then(BatchLines::new);
            let checked = check_batch(&hub, &args.file, &file, lines.as_mut(), |problem| {
                eprintln!("{problem}")
            })
            .await?;
            if checked.lines == 0 {
                return Err(Failure::usage(format!(
                    "{} has no lines: there is nothing to run",
                    args.file.file.display()
                )));
            }
            if checked.invalid > 0 && !args.skip_invalid {
                return Err(Failure::usage(format!(
                    "{} of {} lines are invalid; nothing was sent (--skip-invalid runs the others)",
                    checked.invalid, checked.lines
                )));
            }
            let Some(lines) = lines else {
                if args.file.json {
                    print_json(&json!({
                        "valid": checked.valid(),
                        "invalid": checked.invalid,
                        "models": checked.models,
                    }))?;
                } else {
                    let list: Vec<String> = checked
                        .models
                        .iter()
                        .map(|(m, n)| format!("{n} × {m}"))
                        .collect();
                    outln!(
                        "{} lines valid ({}); nothing sent",
                        checked.valid(),
                        list.join(", ")
                    );
                }
                return Ok(ExitCode::SUCCESS);
            };
            let mut keys = lines.finish().map_err(store::failure)?;
            std::fs::create_dir_all(&args.file.out).map_err(|e| {
                Failure::usage(format!(
                    "cannot create the output directory {}: {e} (nothing was sent)",
                    args.file.out.display()
                ))
            })?;
            let journal = store::open_for(&hub, store_args).await?;
            let runner = Runner::new(journal, hub.client.clone()).poll_policy(hub.poll);
            let total = keys.len();
            let name = batch_name(&args.file.file);
            let typical = checked
                .first_model
                .as_ref()
                .and_then(|model| hub.client.typical_duration(model));
            if args.again {
                eprintln!(
                    "--again: each of the {total} lines is submitted anew, a new billed task each"
                );
                keys = keys.again().map_err(store::failure)?;
            }
            let jobs = file.jobs(checked.checker)?;
            let finished = runner
                .run_batch_lines(&name, &keys, jobs, args.concurrency)
                .await
                .map_err(store::failure)?;
            let done_before = if args.again {
                0
            } else {
                // One count when the run starts: the bar counts on in this process.
                let counts = runner
                    .journal()
                    .batch_counts(keys.id())
                    .await
                    .map_err(store::failure)?;
                let unfinished: usize = counts
                    .states
                    .iter()
                    .filter(|(state, _)| state.is_unfinished())
                    .map(|(_, n)| n)
                    .sum();
                counts.total().saturating_sub(unfinished) as u64
            };
            drop(keys);
            let pace = Pace {
                total,
                done_before,
                concurrency: args.concurrency,
                typical,
            };
            let progress = BatchProgress::start(pace, &runner, args.file.json);
            let mut finished = std::pin::pin!(finished);
            let mut worst = Exit::Success;
            while let Some(outcome) = finished.next().await {
                let ended = match outcome {
                    Ok(job) => Ended::Job(Box::new(job)),
                    Err(error) => Ended::Stopped(match &error {
                        videohub_journal::Error::TaskIdKept { job, .. } => format!(
                            "{error}; `{}` writes it back and finishes the job",
                            store::resume_command(store_args, job)
                        ),
                        _ => error.to_string(),
                    }),
                };
                let exit = ended.exit();
                progress.done(exit == Exit::Success);
                worst = worst.max(exit);
                let line = if args.file.json {
                    ended.json().to_string()
                } else {
                    ended.text()
                };
                progress.println(line);
            }
            progress.finish();
            Ok(worst.into())
        }
        BatchCommand::Status(args) => {
            let hub = Hub::connect(hub_args).await?;
            let file = BatchFile::open(&args)?;
            let mut lines = BatchLines::new();
            let checked = check_batch(&hub, &args, &file, Some(&mut lines), |_| {}).await?;
            let keys = lines.finish().map_err(store::failure)?;
            let journal = store::open_existing(store_args).await?;
            let known = journal
                .batch_counts(keys.id())
                .await
                .map_err(store::failure)?;
            let mut counts: BTreeMap<String, usize> = known
                .states
                .iter()
                .map(|(state, n)| (state.to_string(), *n))
                .collect();
            let not_started = (keys.len() as usize).saturating_sub(known.total());
            if not_started > 0 {
                counts.insert("not recorded".into(), not_started);
            }
            if known.waiting_on_hub > 0 {
                counts.insert("waiting on the hub's limit".into(), known.waiting_on_hub);
            }
            if args.json {
                print_json(
                    &json!({"lines": checked.lines, "invalid": checked.invalid, "states": counts}),
                )?;
            } else {
                let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
                outln!(
                    "{} lines: {}{}",
                    checked.lines,
                    parts.join(", "),
                    if checked.invalid == 0 {
                        String::new()
                    } else {
                        format!(", {} invalid", checked.invalid)
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The batch's name in the journal: the file's stem, or `stdin`.
fn batch_name(file: &Path) -> String {
    if file == Path::new("-") {
        return "stdin".into();
    }
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into())
}

/// How one line of a run ended.
enum Ended {
    /// Its job reached a final state (downloaded, or failed on the hub).
    Job(Box<Job>),
    /// It stopped short of a final state, for this reason; the journal keeps its job.
    Stopped(String),
}

impl Ended {
    /// Its share of the run's exit code: a job stopped short is an API failure.
    fn exit(&self) -> Exit {
        match self {
            Ended::Job(job) => Exit::of_job(job),
            Ended::Stopped(_) => Exit::Api,
        }
    }

    /// Its status: the job's state, `reused` for a file reused from an earlier job, or
    /// `stopped`.
    fn status(&self) -> &'static str {
        match self {
            Ended::Job(job) if job.reused_from.is_some() && job.state == JobState::Downloaded => {
                "reused"
            }
            Ended::Job(job) => job.state.as_str(),
            Ended::Stopped(_) => "stopped",
        }
    }

    /// Why a job that is not downloaded ended as it did.
    fn error(&self) -> Option<String> {
        match self {
            Ended::Job(job) if job.state == JobState::Downloaded => None,
            Ended::Job(job) => Some(ended(job).message),
            Ended::Stopped(message) => Some(message.clone()),
        }
    }

    /// One JSON object for `--json`.
    fn json(&self) -> Value {
        match self {
            Ended::Job(job) => json!({
                "job_id": job.id,
                "model": job.model,
                "status": self.status(),
                "reused_from": job.reused_from,
                "task_id": job.task_id,
                "file": job.file_path,
                "bytes": job.file_size,
                "error": self.error(),
            }),
            Ended::Stopped(_) => json!({"status": self.status(), "error": self.error()}),
        }
    }

    /// One line of text: the job, its status, and its file or error.
    fn text(&self) -> String {
        let (id, file) = match self {
            Ended::Job(job) => (job.id.as_str(), job.file_path.as_ref()),
            Ended::Stopped(_) => ("-", None),
        };
        let what = file
            .map(|path| path.display().to_string())
            .or_else(|| self.error())
            .unwrap_or_default();
        format!("{id} {} {what}", self.status())
    }
}
