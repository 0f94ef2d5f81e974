//! `videohub task …`: follow a task submitted earlier, from its id, or download its file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use futures::StreamExt;
use serde_json::json;
use videohub::{Dynamic, Media, Output, OutputFile, PollPolicy, Task};
use videohub_journal::{JobState, Runner};

use super::generate::WaitArgs;
use crate::args::Global;
use crate::exit::Exit;
use crate::hub::{Hub, api};
use crate::outcome::{INTERRUPTED, ended, report_job, unfinished};
use crate::output::{Failure, outln, print_json};
use crate::progress::Progress;
use crate::store::{self, StoreArgs};

/// `videohub task …`.
#[derive(Debug, clap::Args)]
pub(crate) struct TaskArgs {
    #[command(subcommand)]
    command: TaskCommand,
}

/// `videohub task status|wait|download`.
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

/// `videohub task status|wait|download`.
pub(crate) async fn run(args: TaskArgs, global: &Global) -> Result<ExitCode, Failure> {
    let hub = &Hub::connect(&global.hub).await?;
    let store = &global.store;
    let command = args.command;
    // A task of a job of the journal is finished as that job: recorded, saved at its path.
    match &command {
        TaskCommand::Wait { id, wait } if wait.output.is_none() => {
            let how = Finish::Wait(wait.timeout);
            if let Some(code) = finish_known(hub, store, id, how, wait.json).await? {
                return Ok(code);
            }
        }
        TaskCommand::Download {
            id,
            output: None,
            json,
        } => {
            if let Some(code) = finish_known(hub, store, id, Finish::IfReady, *json).await? {
                return Ok(code);
            }
        }
        _ => {}
    }
    match command {
        TaskCommand::Status { id, json } => {
            let state = hub.client.task_by_id(&id).status().await.map_err(api)?;
            if json {
                print_json(&state.raw)?;
            } else {
                let elapsed = state
                    .elapsed
                    .map(|e| format!(" after {}s", e.as_secs()))
                    .unwrap_or_default();
                let error = state
                    .error_message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                outln!("{} {}{elapsed}{error}", id, state.status);
            }
            Ok(ExitCode::SUCCESS)
        }
        TaskCommand::Wait { id, wait } => {
            let task = hub.client.task_by_id(&id);
            follow(hub, &task, "task", &wait).await
        }
        TaskCommand::Download { id, output, json } => {
            let state = hub.client.task_by_id(&id).status().await.map_err(api)?;
            if !state.ready {
                return Err(Failure::new(
                    Exit::Api,
                    format!(
                        "task {id} is still {}: `videohub task wait {id}` waits for it",
                        state.status
                    ),
                ));
            }
            let output_of_task = state.into_output(&hub.client, &id).map_err(api)?;
            let path = output.unwrap_or_else(|| default_path("task", &id, &output_of_task));
            let bytes = output_of_task.save(&path).await.map_err(api)?;
            report(&output_of_task, &path, bytes, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How `task wait` and `task download` finish a job of the journal.
#[derive(Clone, Copy)]
enum Finish {
    /// Wait for the task (at most this long).
    Wait(Option<std::time::Duration>),
    /// Only when the task is finished: a running one is left to `task download` to report.
    IfReady,
}

/// When the journal holds a job of this hub with task `task_id`, finishes it as `jobs
/// resume` does (polled, saved at the job's output path, each step recorded) and reports
/// it; `None` when no such job is recorded (or it is failed or forgotten), or when `how` is
/// [`Finish::IfReady`] and the task is still running.
async fn finish_known(
    hub: &Hub,
    store: &StoreArgs,
    task_id: &str,
    how: Finish,
    json: bool,
) -> Result<Option<ExitCode>, Failure> {
    if store.no_store || hub.is_in_process() {
        return Ok(None);
    }
    let journal = store::open_for(hub, store).await?;
    let label = hub.label();
    let jobs = journal
        .jobs(&videohub_journal::JobFilter::default())
        .await
        .map_err(store::failure)?;
    let Some(job) = jobs
        .into_iter()
        .find(|job| job.task_id.as_deref() == Some(task_id) && job.hub == label)
    else {
        return Ok(None);
    };
    let job = match job.state {
        JobState::Downloaded => job,
        JobState::Submitted | JobState::Completed => {
            let mut policy: PollPolicy = hub.poll;
            match how {
                Finish::Wait(Some(timeout)) => policy = policy.deadline(timeout),
                Finish::Wait(None) => {}
                Finish::IfReady if job.state == JobState::Submitted => {
                    let state = hub.client.task_by_id(task_id).status().await.map_err(api)?;
                    if !state.ready {
                        return Ok(None);
                    }
                }
                Finish::IfReady => {}
            }
            let runner = crate::telemetry::traced(Runner::new(journal, hub.client.clone()))
                .poll_policy(policy);
            let id = job.id.clone();
            runner
                .resume(&id, |_| {})
                .await
                .map_err(|e| unfinished(store, &id, e))?
        }
        _ => return Ok(None),
    };
    if job.state != JobState::Downloaded {
        return Err(ended(&job));
    }
    report_job(&job, json)?;
    Ok(Some(ExitCode::SUCCESS))
}

/// Waits for the task with a progress display, then downloads its file.
async fn follow(
    hub: &Hub,
    task: &Task<Dynamic>,
    model: &str,
    args: &WaitArgs,
) -> Result<ExitCode, Failure> {
    let mut policy: PollPolicy = hub.poll;
    if let Some(timeout) = args.timeout {
        policy = policy.deadline(timeout);
    }
    let progress = Progress::start(model, hub.client.typical_duration(model), args.json);
    progress.task(model, task.id());
    let outcome = tokio::select! {
        outcome = wait(hub, task, policy, &progress) => outcome,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            if hub.is_in_process() {
                eprintln!("stopped; the in-process sandbox stops too (`videohub sandbox` keeps one running)");
            } else {
                eprintln!("stopped waiting; the task goes on. Resume with:\n  videohub task wait {}{}", task.id(), resume_flags(args));
            }
            return Ok(ExitCode::from(INTERRUPTED));
        }
    };
    let output = match outcome {
        Ok(output) => output,
        Err(failure) => {
            progress.finish();
            return Err(failure);
        }
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_path(model, task.id(), &output));
    progress.step("downloading");
    let saved = output.save(&path).await;
    progress.finish();
    let bytes = saved.map_err(api)?;
    report(&output, &path, bytes, args.json)?;
    Ok(ExitCode::SUCCESS)
}

async fn wait(
    hub: &Hub,
    task: &Task<Dynamic>,
    policy: PollPolicy,
    progress: &Progress,
) -> Result<Output, Failure> {
    let mut updates = std::pin::pin!(task.updates_with(policy));
    while let Some(update) = updates.next().await {
        let update = update.map_err(api)?;
        progress.update(&update);
        if update.is_ready() {
            return update
                .state
                .into_output(&hub.client, task.id())
                .map_err(api);
        }
    }
    Err(Failure::new(
        Exit::Api,
        format!("stopped following task {} before it finished", task.id()),
    ))
}

fn report(output: &Output, path: &Path, bytes: u64, json: bool) -> Result<(), Failure> {
    if json {
        let url = output.file().map(|v| v.url());
        print_json(&json!({
            "task_id": output.task_id(),
            "status": "completed",
            "file": path,
            "bytes": bytes,
            "url": url,
            // The kept answer's `data`: the key removed, should the hub have repeated it.
            "data": output.raw().get("data"),
        }))
    } else {
        outln!("{}", path.display());
        Ok(())
    }
}

/// `veo-3.1-<task id>.mp4` in the current directory, with the extension of the output's
/// first file.
fn default_path(model: &str, task_id: &str, output: &Output) -> PathBuf {
    let extension = output
        .file()
        .map_or(Media::Video.extension(), OutputFile::extension);
    videohub_app::destination::for_task(Path::new(""), model, task_id, extension)
}

fn resume_flags(args: &WaitArgs) -> String {
    args.output
        .as_ref()
        .map(|p| format!(" -o {}", p.display()))
        .unwrap_or_default()
}
