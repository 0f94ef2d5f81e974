//! How one line of `videohub batch run` ended, as printed (one line of text, or one JSON
//! object with `--json`) and counted in the exit code.

use std::path::PathBuf;

use serde_json::{Value, json};
use videohub_journal::{Error, Job, JobState, LineEnd};

use crate::exit::Exit;
use crate::outcome::ended;
use crate::store::{self, StoreArgs};

/// How one line of a run ended.
pub(crate) enum Ended {
    /// Its job reached a final state (downloaded, or failed on the hub); `file` is where
    /// its file is in this run's folder, when it is not the job's own (a copy of a file
    /// downloaded into another folder).
    Job {
        job: Box<Job>,
        copy: Option<PathBuf>,
    },
    /// The run was stopped: its job was let go as it stood, for another worker or the
    /// next run.
    LetGo { id: String, state: JobState },
    /// It stopped short of a final state, for this reason; the journal keeps its job.
    Stopped(String),
}

impl Ended {
    /// A line's end as the journal's runner yields it; `store` names the journal in the
    /// advice of an error.
    pub(crate) fn from_line(line: LineEnd, store: &StoreArgs) -> Ended {
        match line {
            LineEnd::Final(job) => Ended::Job {
                job: Box::new(job),
                copy: None,
            },
            LineEnd::Copied { job, file } => Ended::Job {
                job: Box::new(job),
                copy: Some(file),
            },
            LineEnd::Stopped(Error::LetGo { id, state }) => Ended::LetGo { id, state },
            LineEnd::Stopped(error) => Ended::Stopped(match &error {
                Error::TaskIdKept { job, .. } => format!(
                    "{error}; `{}` writes it back and finishes the job",
                    store::resume_command(store, job)
                ),
                _ => error.to_string(),
            }),
            other => Ended::Stopped(format!("an end this videohub does not know: {other:?}")),
        }
    }

    /// Its share of the run's exit code: a job stopped short is an API failure; one let go
    /// by a stop counts for nothing (the stop gives the exit code).
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Ended::Job { job, .. } => Exit::of_job(job),
            Ended::LetGo { .. } => Exit::Success,
            Ended::Stopped(_) => Exit::Api,
        }
    }

    /// Its status: the job's state, `reused` for a file reused from an earlier job or
    /// copied from another folder, `let go`, or `stopped`.
    fn status(&self) -> &'static str {
        match self {
            Ended::Job { job, copy } if job.state == JobState::Downloaded => {
                if job.reused_from.is_some() || copy.is_some() {
                    "reused"
                } else {
                    "downloaded"
                }
            }
            Ended::Job { job, .. } => job.state.as_str(),
            Ended::LetGo { .. } => "let go",
            Ended::Stopped(_) => "stopped",
        }
    }

    /// Why a job that is not downloaded ended as it did.
    fn error(&self) -> Option<String> {
        match self {
            Ended::Job { job, .. } if job.state == JobState::Downloaded => None,
            Ended::Job { job, .. } => Some(ended(job).message),
            Ended::LetGo { state, .. } => Some(format!(
                "the run was stopped; the job was let go as {state}: the next run or another worker goes on with it"
            )),
            Ended::Stopped(message) => Some(message.clone()),
        }
    }

    /// The file of the line in this run's folder.
    fn file(&self) -> Option<&PathBuf> {
        match self {
            Ended::Job {
                copy: Some(file), ..
            } => Some(file),
            Ended::Job { job, .. } => job.file_path.as_ref(),
            _ => None,
        }
    }

    /// One JSON object for `--json`.
    pub(crate) fn json(&self) -> Value {
        match self {
            Ended::Job { job, .. } => json!({
                "job_id": job.id,
                "model": job.model,
                "status": self.status(),
                "reused_from": job.reused_from,
                "task_id": job.task_id,
                "file": self.file(),
                "bytes": job.file_size,
                "error": self.error(),
            }),
            Ended::LetGo { id, state } => {
                json!({"job_id": id, "status": self.status(), "state": state, "error": self.error()})
            }
            Ended::Stopped(_) => json!({"status": self.status(), "error": self.error()}),
        }
    }

    /// One line of text: the job, its status, and its file or error.
    pub(crate) fn text(&self) -> String {
        let id = match self {
            Ended::Job { job, .. } => job.id.as_str(),
            Ended::LetGo { id, .. } => id.as_str(),
            Ended::Stopped(_) => "-",
        };
        let what = self
            .file()
            .map(|path| path.display().to_string())
            .or_else(|| self.error())
            .unwrap_or_default();
        format!("{id} {} {what}", self.status())
    }
}
