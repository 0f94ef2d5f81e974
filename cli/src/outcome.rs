//! How a job's outcome is told: its file on success, its failure with the command that
//! finishes it otherwise. Shared by the commands that drive jobs (`generate`, `task`,
//! `jobs`, `batch`).

use std::io::IsTerminal;

use serde_json::json;
use videohub_journal::{Job, JobState};

use crate::exit::Exit;
use crate::output::{Failure, outln, print_json};
use crate::store::{self, StoreArgs};

/// Exit code of a wait stopped with Ctrl-C.
pub(crate) const INTERRUPTED: u8 = 130;

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
