//! `videohub generate` and `videohub task …`: submit, follow, download.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures::StreamExt;
use serde_json::json;
use videohub::{Dynamic, Media, ModelSchema, Output, PollPolicy, Task};

use videohub_journal::{Job, JobState, NewJob, Runner, Step};

use crate::args::{GenerateArgs, StoreArgs, TaskCommand, WaitArgs};
use crate::exit::Exit;
use crate::hub::{Hub, api};
use crate::input::{self, InputArgs};
use crate::output::outln;
use crate::output::{Failure, print_json};
use crate::progress::Progress;
use crate::{schemas, store};

/// Exit code of a wait stopped with Ctrl-C.
const INTERRUPTED: u8 = 130;

pub(crate) async fn generate(
    hub: &Hub,
    store: &StoreArgs,
    args: GenerateArgs,
) -> Result<ExitCode, Failure> {
    let checked = schemas::resolve_checked(hub, &args.model).await?;
    let input = input::build_checked(
        &checked,
        &InputArgs {
            prompt: args.prompt.as_deref(),
            set: &args.set,
            images: &args.images,
        },
    )?;
    let schema: &ModelSchema = checked.view();
    let output_path = output_template(args.wait.output.as_deref())?;
    let journal = store::open_for(hub, store).await?;
    let mut policy: PollPolicy = hub.poll;
    if let Some(timeout) = args.wait.timeout {
        policy = policy.deadline(timeout);
    }
    let runner = Runner::new(journal, hub.client.clone()).poll_policy(policy);
    let new = NewJob::new(hub.label(), schema, input, output_path);
    if args.no_wait {
        let job = runner
            .submit(new, |step| pause_for_crash_tests(&step))
            .await
            .map_err(|e| match e {
                videohub_journal::Error::TaskIdKept { ref job, .. } => {
                    unfinished(store, &job.clone(), e)
                }
                other => store::failure(other),
            })?;
        return match (job.state, &job.task_id) {
            (JobState::Submitted, Some(task_id)) if args.wait.json => {
                print_json(
                    &json!({"job_id": job.id, "task_id": task_id, "model": job.model, "status": "submitted"}),
                )?;
                Ok(ExitCode::SUCCESS)
            }
            (JobState::Submitted, Some(task_id)) => {
                outln!("{task_id}");
                Ok(ExitCode::SUCCESS)
            }
            _ => Err(ended(&job)),
        };
    }
    let expected = hub.client.typical_duration(&schema.id);
    let progress = Progress::start(&schema.id, expected, args.wait.json);
    let job = runner.record(&new).await.map_err(store::failure)?;
    let run = runner.drive(job.clone(), |step| {
        pause_for_crash_tests(&step);
        match step {
            Step::Submitted(job) => progress.task(&job.model, job.task_id.as_deref().unwrap_or("")),
            Step::Polled(update) => progress.update(update),
            Step::Downloading { .. } => progress.step("downloading"),
            Step::WaitingOnHub { wait, .. } => {
                let message = format!(
                    "the hub is at its limit and did not take the submit; sending it again in {}",
                    humantime::format_duration(wait)
                );
                progress.note(&message);
                progress.step("waiting on the hub's limit");
            }
            _ => {}
        }
    });
    let outcome = tokio::select! {
        outcome = run => outcome,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            if let Err(e) = runner.release(&job.id).await {
                eprintln!("warning: {e}");
            }
            if hub.is_in_process() {
                eprintln!("stopped; the in-process sandbox stops too (`videohub sandbox` keeps one running)");
            } else {
                eprintln!("stopped waiting; the task goes on. Resume with:\n  videohub jobs resume {}", job.id);
            }
            return Ok(ExitCode::from(INTERRUPTED));
        }
    };
    progress.finish();
    let job = outcome.map_err(|e| unfinished(store, &job.id, e))?;
    if job.state != JobState::Downloaded {
        return Err(ended(&job));
    }
    report_job(&job, args.wait.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Where `-o` puts the file, as an absolute path (so that a resume from elsewhere saves it
/// in the same place), or `<model>-<task id>.<ext>` (mp4, png) in the current directory. A
/// directory that does not exist is refused before anything is sent.
fn output_template(output: Option<&Path>) -> Result<PathBuf, Failure> {
    let path = output.unwrap_or(Path::new("{model}-{task_id}.{ext}"));
    let absolute = std::path::absolute(path).map_err(|e| {
        Failure::usage(format!(
            "cannot use the output path {}: {e}",
            path.display()
        ))
    })?;
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "the output directory {} does not exist: create it first (nothing was sent)",
            dir.display()
        )));
    }
    if absolute.is_dir() {
        return Err(Failure::usage(format!(
            "the output path {} is a directory: name a file in it",
            absolute.display()
        )));
    }
    Ok(absolute)
}

/// The failure of a job that reached a final state other than downloaded.
pub(crate) fn ended(job: &Job) -> Failure {
    let error = job.error.clone().unwrap_or_else(|| job.state.to_string());
    let exit = Exit::of_job(job);
    if job.state == JobState::OutcomeUnknown {
        let unknown = videohub_journal::Error::OutcomeUnknown {
            id: job.id.clone(),
            reason: error,
        };
        return Failure::new(exit, store::retry_hint(&unknown, &job.id));
    }
    Failure::new(exit, error)
}

/// The failure of a job that stopped short of a final state: it stays in the journal.
pub(crate) fn unfinished(
    store_args: &StoreArgs,
    job_id: &str,
    error: videohub_journal::Error,
) -> Failure {
    let kept = matches!(error, videohub_journal::Error::TaskIdKept { .. });
    let mut failure = store::failure(error);
    let command = store::resume_command(store_args, job_id);
    if kept {
        failure.message = format!(
            "{}\n  the task is paid for and not lost: `{command}` writes its id back and finishes the job",
            failure.message
        );
    } else if failure.exit != Exit::Usage {
        failure.message = format!(
            "{}\n  the job is kept: `{command}` finishes it",
            failure.message
        );
    }
    failure
}

/// For crash tests: with `VIDEOHUB_CRASH_PAUSE=before-submit`, the process stops for good
/// once the job is recorded and before its submit is sent, so that a test can kill it
/// exactly there. Only in builds with debug assertions (what `cargo test` builds): a release
/// build does nothing here.
fn pause_for_crash_tests(step: &Step<'_>) {
    if cfg!(debug_assertions)
        && let Step::Submitting(job) = step
        && std::env::var("VIDEOHUB_CRASH_PAUSE").as_deref() == Ok("before-submit")
    {
        eprintln!("paused before the submit of job {}", job.id);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// One line for a saved job: the path on standard output when it is not a terminal (for
/// scripts), the summary on standard error; or one JSON object.
pub(crate) fn report_job(job: &Job, json: bool) -> Result<(), Failure> {
    let path = job.file_path.clone().unwrap_or_default();
    let size = job.file_size.unwrap_or(0);
    if json {
        return print_json(&json!({
            "job_id": job.id,
            "task_id": job.task_id,
            "model": job.model,
            "status": "completed",
            "file": path,
            "bytes": size,
            "sha256": job.sha256,
            "task_seconds": job.task_duration.map(|d| d.as_secs_f64()),
            "data": job.result.as_ref().and_then(|r| r.get("data")),
        }));
    }
    if !std::io::stdout().is_terminal() {
        outln!("{}", path.display());
    }
    let took = job
        .updated_at
        .duration_since(job.created_at)
        .unwrap_or_default();
    eprintln!(
        "{} · task {} · {:.1} s · {} · {}",
        job.model,
        job.task_id.as_deref().unwrap_or("?"),
        took.as_secs_f64(),
        path.display(),
        crate::progress::bytes(size)
    );
    Ok(())
}

pub(crate) async fn task(
    hub: &Hub,
    store: &StoreArgs,
    command: TaskCommand,
) -> Result<ExitCode, Failure> {
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
            let runner = Runner::new(journal, hub.client.clone()).poll_policy(policy);
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
            "data": output.data(),
        }))
    } else {
        outln!("{}", path.display());
        Ok(())
    }
}

/// `veo-3.1-<task id>.mp4` in the current directory, with the extension of the output's
/// first file.
fn default_path(model: &str, task_id: &str, output: &Output) -> PathBuf {
    let safe = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let extension = output
        .file()
        .map_or(Media::Video.extension(), |file| file.extension());
    PathBuf::from(format!("{}-{}.{extension}", safe(model), safe(task_id)))
}

fn resume_flags(args: &WaitArgs) -> String {
    args.output
        .as_ref()
        .map(|p| format!(" -o {}", p.display()))
        .unwrap_or_default()
}
