//! A completed job's output: saved, read back for its checksum, and recorded; at most a
//! few at once, so that download buffers exist only for the downloads running.

use std::path::Path;

use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use videohub::{Output, TaskState};

use super::{Runner, Step};
use crate::error::{Error, Result};
use crate::job::Job;
use crate::state::JobState;
use crate::store::Change;

impl Runner {
    /// The output of a completed job from the task answer it recorded.
    pub(super) fn stored_output(&self, job: &Job) -> Result<Output> {
        let task_id = job.task_id.clone().unwrap_or_default();
        let mut state = job
            .result
            .clone()
            .and_then(TaskState::from_json)
            .ok_or_else(|| Error::WrongState {
                id: job.id.clone(),
                state: job.state.to_string(),
                reason: "its recorded task answer is missing".into(),
            })?;
        state.capability = job.capability().or(state.capability);
        Ok(state.into_output(&self.client, &task_id)?)
    }

    /// Saves the output and records the file, its size and checksum.
    pub(super) async fn download(
        &self,
        job: Job,
        output: Output,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let path = job.output_file();
        let _turn = self.downloads.acquire().await.ok();
        on_step(Step::Downloading {
            job: &job,
            path: &path,
        });
        let saved = match output.save(&path).await {
            Err(videohub::Error::DownloadStatus {
                status: 403 | 404 | 410,
            }) => {
                // The link may have expired: ask the hub for the task's output again.
                let task = self.task_of(&job);
                let fresh = task.status().await?;
                fresh
                    .into_output(&self.client, task.id())?
                    .save(&path)
                    .await
            }
            other => other,
        };
        let size = match saved {
            Ok(size) => size,
            Err(error) => {
                self.journal
                    .note(&job.id, &format!("download failed: {error}"))
                    .await?;
                return Err(error.into());
            }
        };
        let sha256 = sha256_of(&path).await?;
        let mut change = Change::to(JobState::Downloaded);
        change.file_path = Some(path.clone());
        change.file_size = Some(size);
        change.sha256 = Some(sha256);
        change.detail = Some(format!("{} ({size} bytes)", path.display()));
        self.journal
            .transition(&job.id, &[JobState::Completed], change)
            .await
    }
}

async fn sha256_of(path: &Path) -> Result<String> {
    let read_back = |source| Error::ReadBack {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read_back)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let n = file.read(&mut buffer).await.map_err(read_back)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
