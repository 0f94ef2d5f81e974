//! `videohub generate`: submit, follow, download, each step recorded in the journal.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use videohub::{ModelSchema, PollPolicy};
use videohub_journal::{JobState, NewJob, Runner, Step};

use crate::args::Global;
use crate::hub::Hub;
use crate::input::{self, InputArgs};
use crate::outcome::{INTERRUPTED, ended, report_job, unfinished};
use crate::output::{Failure, outln, print_json};
use crate::progress::Progress;
use crate::schemas;
use crate::store;

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

/// `videohub generate`: validates the input, records the job, submits it, follows the task
/// and downloads its file.
pub(crate) async fn run(args: GenerateArgs, global: &Global) -> Result<ExitCode, Failure> {
    let hub = &Hub::connect(&global.hub).await?;
    let store = &global.store;
    let checked = schemas::resolve(hub, &args.model).await?;
    let input = input::build_checked(
        &checked,
        &InputArgs {
            prompt: args.prompt.as_deref(),
            set: &args.set,
            images: &args.images,
        },
    )?;
    let schema: &ModelSchema = checked.view();
    let output_path = videohub_app::destination::file(args.wait.output.as_deref())
        .map_err(|e| Failure::usage(format!("{e} (nothing was sent)")))?;
    let journal = store::open_for(hub, store).await?;
    let mut policy: PollPolicy = hub.poll;
    if let Some(timeout) = args.wait.timeout {
        policy = policy.deadline(timeout);
    }
    let runner =
        crate::telemetry::traced(Runner::new(journal, hub.client.clone())).poll_policy(policy);
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

/// For crash tests: with `VIDEOHUB_CRASH_PAUSE=before-submit`, the process stops for good
/// once the job is recorded and before its submit is sent, so that a test can kill it
/// exactly there. Only in debug builds (those the tests run) and in builds with the
/// `crash-hooks` feature: a release build has no such hook.
#[cfg(any(debug_assertions, feature = "crash-hooks"))]
fn pause_for_crash_tests(step: &Step<'_>) {
    if let Step::Submitting(job) = step
        && std::env::var("VIDEOHUB_CRASH_PAUSE").as_deref() == Ok("before-submit")
    {
        eprintln!("paused before the submit of job {}", job.id);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// In a release build without the `crash-hooks` feature, nothing pauses.
#[cfg(not(any(debug_assertions, feature = "crash-hooks")))]
fn pause_for_crash_tests(_step: &Step<'_>) {}
