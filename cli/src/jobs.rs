//! `videohub jobs …` and `videohub history`: the journal's jobs, and finishing them.

use std::process::ExitCode;

use clap::Subcommand;
use futures::StreamExt;
use serde_json::json;
use videohub_journal::{Error, Job, JobFilter, JobState, Runner};

use crate::exit::Exit;
use crate::generate::{ended, report_job};
use crate::hub::{Hub, HubArgs};
use crate::output::{Failure, print_json, shortened, table};
use crate::output::{out, outln};
use crate::progress::bytes;
use crate::store::{self, StoreArgs};

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

/// Jobs resumed at once.
const RESUME_CONCURRENCY: usize = 8;

pub(crate) async fn jobs(
    hub: &HubArgs,
    store_args: &StoreArgs,
    command: JobsCommand,
) -> Result<ExitCode, Failure> {
    match command {
        JobsCommand::List { all, json } => {
            let journal = store::open_existing(store_args).await?;
            let filter = JobFilter {
                states: if all {
                    vec![]
                } else {
                    JobState::UNFINISHED.to_vec()
                },
                ..JobFilter::default()
            };
            let jobs = journal.jobs(&filter).await.map_err(store::failure)?;
            if json {
                print_json(&jobs)?;
            } else if jobs.is_empty() {
                outln!(
                    "no {}jobs in {}",
                    if all { "" } else { "unfinished " },
                    journal.location()
                );
            } else {
                let mut rows = vec![row(["JOB", "STATE", "MODEL", "TASK", "CREATED", "NOTE"])];
                rows.extend(jobs.iter().map(|job| {
                    vec![
                        job.id.clone(),
                        job.state.to_string(),
                        job.model.clone(),
                        job.task_id.clone().unwrap_or_default(),
                        when(job),
                        short(job.error.as_deref().unwrap_or(""), 60),
                    ]
                }));
                out!("{}", table(&rows));
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Show { id, json } => {
            let journal = store::open_existing(store_args).await?;
            let job = journal.job(&id).await.map_err(store::failure)?;
            let events = journal.events(&job.id).await.map_err(store::failure)?;
            if json {
                print_json(&json!({"job": job, "events": events}))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut lines = vec![
                ("job", job.id.clone()),
                ("state", job.state.to_string()),
                ("model", job.model.clone()),
                ("hub", job.hub.clone()),
                ("task", job.task_id.clone().unwrap_or_else(|| "-".into())),
                ("submits sent", job.submits.to_string()),
                ("created", when(&job)),
                ("output", job.output_file().display().to_string()),
            ];
            if let Some(path) = &job.file_path {
                lines.push(("file", path.display().to_string()));
                lines.push(("size", bytes(job.file_size.unwrap_or(0))));
                lines.push(("sha256", job.sha256.clone().unwrap_or_default()));
            }
            if let Some(part) = &job.part_file {
                lines.push(("part file", part.display().to_string()));
            }
            if let Some(paid) = &job.reused_from {
                lines.push(("reuses job", paid.clone()));
            }
            if let Some(took) = job.task_duration {
                lines.push(("task took", format!("{:.1} s", took.as_secs_f64())));
            }
            if let Some(error) = &job.error {
                lines.push(("error", error.clone()));
            }
            for (key, value) in lines {
                outln!("{key:>13}: {value}");
            }
            outln!("{:>13}:", "input");
            for (name, value) in &job.input {
                outln!("{:>15}{name} = {}", "", shortened(value));
            }
            outln!("{:>13}:", "history");
            for event in events {
                outln!(
                    "{:>15}{}  {}{}",
                    "",
                    humantime::format_rfc3339_seconds(event.at),
                    event.state,
                    event.detail.map(|d| format!("  {d}")).unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Resume { ids, json } => resume(hub, store_args, ids, json).await,
        JobsCommand::Retry { id, force, no_wait } => {
            let journal = store::open_existing(store_args).await?;
            let job = journal.retry(&id, force).await.map_err(store::failure)?;
            if no_wait {
                outln!(
                    "job {} is pending: `videohub jobs resume {}` submits it",
                    job.id,
                    job.id
                );
                return Ok(ExitCode::SUCCESS);
            }
            resume(hub, store_args, vec![job.id], false).await
        }
        JobsCommand::Forget { id, force } => {
            let journal = store::open_existing(store_args).await?;
            let job = journal.forget(&id, force).await.map_err(store::failure)?;
            outln!("forgot job {} ({}, {})", job.id, job.model, job.state);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Finishes the unfinished jobs of this hub (or the ones named), several at once.
async fn resume(
    hub_args: &HubArgs,
    store_args: &StoreArgs,
    ids: Vec<String>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let hub = Hub::connect(hub_args).await?;
    if hub.is_in_process() {
        return Err(Failure::usage(
            "jobs of an in-process sandbox end with its process: there is nothing to resume with `--sandbox`",
        ));
    }
    let journal = store::open_for(&hub, store_args).await?;
    let label = hub.label();
    let jobs: Vec<Job> = if ids.is_empty() {
        let filter = JobFilter {
            states: JobState::UNFINISHED.to_vec(),
            ..JobFilter::default()
        };
        journal.jobs(&filter).await.map_err(store::failure)?
    } else {
        let mut jobs = Vec::new();
        for id in &ids {
            jobs.push(journal.job(id).await.map_err(store::failure)?);
        }
        jobs
    };
    let (mine, others): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.hub == label);
    for job in others.iter().filter(|j| j.state.is_unfinished()) {
        if job.hub == crate::hub::IN_PROCESS {
            eprintln!(
                "skipped job {}: its in-process sandbox stopped with its process (`videohub jobs forget {}` removes it)",
                job.id, job.id
            );
        } else {
            eprintln!(
                "skipped job {}: it belongs to {} (resume it with --base-url {})",
                job.id, job.hub, job.hub
            );
        }
    }
    if mine.is_empty() {
        if !json {
            outln!("nothing to resume on {label}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let runner = Runner::new(journal, hub.client.clone()).poll_policy(hub.poll);
    let mut outcomes = futures::stream::iter(mine)
        .map(|job| {
            let runner = &runner;
            async move {
                let outcome = runner.resume(&job.id, |_| {}).await;
                (job, outcome)
            }
        })
        .buffer_unordered(RESUME_CONCURRENCY);
    let mut worst = Exit::Success;
    while let Some((job, outcome)) = outcomes.next().await {
        // A job that stopped short of a final state (busy elsewhere, an error) is an API
        // failure; a final job's outcome is its state's.
        let (exit, line) = match outcome {
            Ok(done) if done.state == JobState::Downloaded => {
                if json {
                    report_job(&done, true)?;
                } else {
                    outln!(
                        "{} downloaded {} ({})",
                        done.id,
                        done.file_path.clone().unwrap_or_default().display(),
                        bytes(done.file_size.unwrap_or(0))
                    );
                }
                continue;
            }
            Ok(done) => {
                let failure = ended(&done);
                (
                    failure.exit,
                    (done.id.clone(), done.state.to_string(), failure.message),
                )
            }
            Err(Error::Busy { id, owner }) => (
                Exit::Api,
                (
                    id,
                    "busy".into(),
                    format!("another process ({owner}) is working on it"),
                ),
            ),
            Err(error) => (
                Exit::Api,
                (job.id.clone(), job.state.to_string(), error.to_string()),
            ),
        };
        worst = worst.max(exit);
        let (id, state, message) = line;
        if json {
            print_json(&json!({"job_id": id, "status": state, "error": message}))?;
        } else {
            eprintln!("{id} {state}: {message}");
        }
    }
    Ok(worst.into())
}

pub(crate) async fn history(
    store_args: &StoreArgs,
    args: HistoryArgs,
) -> Result<ExitCode, Failure> {
    let journal = store::open_existing(store_args).await?;
    let filter = JobFilter {
        states: args.status.into_iter().collect(),
        model: args.model,
        text: args.search,
        limit: Some(args.limit),
    };
    let jobs = journal.jobs(&filter).await.map_err(store::failure)?;
    if args.json {
        let entries: Vec<_> = jobs
            .iter()
            .map(|job| {
                json!({
                    "job_id": job.id,
                    "created_at": humantime::format_rfc3339_seconds(job.created_at).to_string(),
                    "model": job.model,
                    "prompt": job.prompt(),
                    "parameters": job.input,
                    "status": job.state,
                    "task_id": job.task_id,
                    "task_seconds": job.task_duration.map(|d| d.as_secs_f64()),
                    "file": job.file_path,
                    "bytes": job.file_size,
                    "error": job.error,
                })
            })
            .collect();
        return print_json(&entries).map(|()| ExitCode::SUCCESS);
    }
    if jobs.is_empty() {
        outln!("no generations recorded in {}", journal.location());
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![row([
        "CREATED", "MODEL", "STATUS", "TOOK", "PROMPT", "FILE",
    ])];
    rows.extend(jobs.iter().map(|job| {
        let parameters: Vec<String> = job
            .input
            .iter()
            .filter(|(k, _)| k.as_str() != "prompt")
            .map(|(k, v)| {
                let v = shortened(v);
                format!(
                    "{k}={}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect();
        let prompt = match (job.prompt(), parameters.is_empty()) {
            (Some(p), true) => p.to_owned(),
            (Some(p), false) => format!("{p} [{}]", parameters.join(" ")),
            (None, _) => format!("[{}]", parameters.join(" ")),
        };
        vec![
            when(job),
            job.model.clone(),
            job.state.to_string(),
            job.task_duration
                .map(|d| format!("{:.1}s", d.as_secs_f64()))
                .unwrap_or_default(),
            short(&prompt, 60),
            job.file_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ]
    }));
    out!("{}", table(&rows));
    Ok(ExitCode::SUCCESS)
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn when(job: &Job) -> String {
    humantime::format_rfc3339_seconds(job.created_at).to_string()
}

/// `text` on one line, cut to `max` characters with an ellipsis.
fn short(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max - 1).collect::<String>())
    }
}

/// A job state as `--status` takes it, e.g. `outcome_unknown`.
fn parse_state(text: &str) -> Result<videohub_journal::JobState, String> {
    text.parse()
        .map_err(|e: videohub_journal::UnknownState| e.to_string())
}
