//! `videohub generate` and `videohub task …`: submit, follow, download.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures::StreamExt;
use serde_json::json;
use videohub::{Dynamic, ModelSchema, Output, PollPolicy, Task};

use crate::args::{GenerateArgs, TaskCommand, WaitArgs};
use crate::hub::{Hub, api};
use crate::input::{self, InputArgs};
use crate::output::{Exit, Failure, print_json};
use crate::progress::Progress;
use crate::schemas;

/// Exit code of a wait stopped with Ctrl-C.
const INTERRUPTED: u8 = 130;

pub(crate) async fn generate(hub: &Hub, args: GenerateArgs) -> Result<ExitCode, Failure> {
    let schema: ModelSchema = schemas::resolve(hub, &args.model).await?;
    let input = input::build(
        &schema,
        &InputArgs {
            prompt: args.prompt.as_deref(),
            set: &args.set,
            images: &args.images,
        },
    )?;
    let task = hub
        .client
        .submit_input(&schema.id, input)
        .await
        .map_err(api)?;
    if args.no_wait {
        if args.wait.json {
            print_json(&json!({"task_id": task.id(), "model": schema.id, "status": "submitted"}))?;
        } else {
            println!("{}", task.id());
        }
        return Ok(ExitCode::SUCCESS);
    }
    follow(hub, &task, &schema.id, &args.wait).await
}

pub(crate) async fn task(hub: &Hub, command: TaskCommand) -> Result<ExitCode, Failure> {
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
                println!("{} {}{elapsed}{error}", id, state.status);
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
            let path = output.unwrap_or_else(|| default_path("task", &id));
            let bytes = output_of_task.save(&path).await.map_err(api)?;
            report(&output_of_task, &path, bytes, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Waits for the task with a progress display, then downloads its video.
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
    let progress = Progress::start(model, task.id(), args.json);
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
        .unwrap_or_else(|| default_path(model, task.id()));
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
        let url = output.video().map(|v| v.url());
        print_json(&json!({
            "task_id": output.task_id(),
            "status": "completed",
            "file": path,
            "bytes": bytes,
            "url": url,
            "data": output.data(),
        }))
    } else {
        println!("{}", path.display());
        Ok(())
    }
}

/// `veo-3.1-<task id>.mp4` in the current directory.
fn default_path(model: &str, task_id: &str) -> PathBuf {
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
    PathBuf::from(format!("{}-{}.mp4", safe(model), safe(task_id)))
}

fn resume_flags(args: &WaitArgs) -> String {
    args.output
        .as_ref()
        .map(|p| format!(" -o {}", p.display()))
        .unwrap_or_default()
}
