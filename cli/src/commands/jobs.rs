//! `videohub jobs …` and `videohub history`: the journal's jobs, and finishing them.

use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use futures::StreamExt;
use serde_json::json;
use tracing::Instrument;
use videohub_journal::{Error, Job, JobFilter, JobState, Runner};

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::{Hub, HubArgs};
use crate::outcome::{ended, report_job};
use crate::output::{Failure, print_json, row, short, shortened, table, when};
use crate::output::{out, outln};
use crate::progress::bytes;
use crate::signals::{self, GraceArgs};
use crate::store::{self, StoreArgs};

/// `videohub jobs …`.
#[derive(Debug, clap::Args)]
pub(crate) struct JobsArgs {
    #[command(subcommand)]
    command: JobsCommand,
}

impl JobsArgs {
    /// Where `jobs resume` serves metrics, when asked.
    pub(crate) fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        match &self.command {
            JobsCommand::Resume { metrics, .. } => metrics.metrics_addr,
            _ => None,
        }
    }
}

/// `videohub jobs list|show|resume|retry|forget`.
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
        #[command(flatten)]
        grace: GraceArgs,
        #[command(flatten)]
        metrics: crate::telemetry::MetricsArgs,
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

/// Jobs resumed at once.
const RESUME_CONCURRENCY: usize = 8;

/// `videohub jobs list|show|resume|retry|forget`.
pub(crate) async fn run(args: JobsArgs, global: &Global) -> Result<ExitCode, Failure> {
    let (hub, store_args) = (&global.hub, &global.store);
    match args.command {
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
                if let Some(etag) = &job.etag {
                    lines.push(("etag", etag.clone()));
                }
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
        JobsCommand::Resume {
            ids,
            json,
            grace,
            metrics,
        } => resume(hub, store_args, ids, json, grace.grace, &metrics).await,
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
            resume(
                hub,
                store_args,
                vec![job.id],
                false,
                DEFAULT_GRACE,
                &Default::default(),
            )
            .await
        }
        JobsCommand::Forget { id, force } => {
            let journal = store::open_existing(store_args).await?;
            let job = journal.forget(&id, force).await.map_err(store::failure)?;
            outln!("forgot job {} ({}, {})", job.id, job.model, job.state);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How long downloads under way go on after a stop of `jobs retry`, which has no
/// `--grace`.
const DEFAULT_GRACE: Duration = Duration::from_secs(30);

/// Finishes the unfinished jobs of this hub (or the ones named), several at once. Ctrl-C
/// or SIGTERM stops taking jobs and lets go of those under way (see `signals`).
async fn resume(
    hub_args: &HubArgs,
    store_args: &StoreArgs,
    ids: Vec<String>,
    json: bool,
    grace: Duration,
    metrics: &crate::telemetry::MetricsArgs,
) -> Result<ExitCode, Failure> {
    let hub = Hub::connect(hub_args).await?;
    if hub.is_in_process() {
        return Err(Failure::usage(
            "jobs of an in-process sandbox end with its process: there is nothing to resume with `--sandbox`",
        ));
    }
    let journal = store::open_for(&hub, store_args).await?;
    let _metrics = metrics.serve(&journal).await?;
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
    let runner = crate::telemetry::traced(Runner::new(journal, hub.client.clone()))
        .poll_policy(hub.poll)
        .on_notice(|notice| eprintln!("note: {notice}"));
    let stopped = signals::watch(runner.stop().clone(), grace);
    let stop = runner.stop().clone();
    // The command's span: each job's span in its own trace links to it.
    let resuming = tracing::info_span!("videohub.resume", otel.name = "jobs resume");
    let mut outcomes = futures::stream::iter(mine)
        .take_while(|_| std::future::ready(!stop.is_requested()))
        .map(|job| {
            let runner = &runner;
            async move {
                let outcome = runner.resume(&job.id, |_| {}).await;
                (job, outcome)
            }
            .instrument(resuming.clone())
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
            Err(error @ Error::LetGo { .. }) => (
                Exit::Success,
                (job.id.clone(), "let go".into(), error.to_string()),
            ),
            Err(error @ Error::LeaseLost { .. }) => (
                Exit::Success,
                (job.id.clone(), "taken over".into(), error.to_string()),
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
    Ok(match stopped.exit_code() {
        Some(code) => ExitCode::from(code),
        None => worst.into(),
    })
}
