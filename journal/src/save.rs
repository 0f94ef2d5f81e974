//! Saving a job's output: into a part file the journal records, so that a process killed
//! in the middle leaves a download the next one continues (with a range request), and
//! from the file of an earlier job when the job reuses its task.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use videohub::{Output, OutputFile};

use crate::error::{Error, Result};
use crate::job::Job;
use crate::run::{Runner, Step};
use crate::state::JobState;
use crate::store::Change;

impl Runner {
    /// Saves the output and records the file, its size and checksum.
    pub(crate) async fn download(
        &self,
        job: Job,
        output: Output,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let path = job.output_file();
        // Buffers exist only for the downloads running: a few at once.
        let _turn = self.downloads.acquire().await.ok();
        on_step(Step::Downloading {
            job: &job,
            path: &path,
        });
        if let Some(done) = self.copy_reused(&job, &path).await? {
            return Ok(done);
        }
        let saved = match self.save_part(&job, file_of(&output)?, &path).await {
            Err(Error::Hub(videohub::Error::DownloadStatus {
                status: 403 | 404 | 410,
            })) => {
                // The link may have expired: ask the hub for the task's output again.
                let task = self.task_of(&job);
                let fresh = task.status().await?.into_output(self.client(), task.id())?;
                self.save_part(&job, file_of(&fresh)?, &path).await
            }
            other => other,
        };
        let size = match saved {
            Ok(size) => size,
            Err(error) => {
                // A download cut short keeps its part file for the next try; one that
                // cannot succeed as it went does not.
                if !matches!(
                    error,
                    Error::Hub(videohub::Error::DownloadInterrupted { .. })
                ) {
                    self.journal().remove_part(&job.id).await?;
                }
                self.journal()
                    .note(&job.id, &format!("download failed: {error}"))
                    .await?;
                return Err(error);
            }
        };
        self.saved(job, path, size, None).await
    }

    /// Records a saved file: state downloaded, path, size, checksum; the part file is gone.
    async fn saved(&self, job: Job, path: PathBuf, size: u64, from: Option<&Job>) -> Result<Job> {
        let sha256 = sha256_of(&path).await?;
        let mut change = Change::to(JobState::Downloaded);
        change.file_path = Some(path.clone());
        change.file_size = Some(size);
        change.detail = Some(match from {
            Some(paid) => format!(
                "{} ({size} bytes), copied from {} (job {})",
                path.display(),
                paid.file_path
                    .as_deref()
                    .unwrap_or(Path::new("?"))
                    .display(),
                paid.id
            ),
            None => format!("{} ({size} bytes)", path.display()),
        });
        change.sha256 = Some(sha256);
        let done = self
            .journal()
            .transition(&job.id, &[JobState::Completed], change)
            .await?;
        self.journal().remove_part(&job.id).await?;
        self.journal().job(&done.id).await
    }

    /// Downloads `file` to `path` through the job's part file: the one an earlier process
    /// recorded when it is still there (continued from its length), else a new one, recorded
    /// before the first byte is asked for.
    async fn save_part(&self, job: &Job, file: &OutputFile, path: &Path) -> Result<u64> {
        let (part, validator) = match self.journal().part_of(&job.id).await? {
            Some((part, validator)) if part.is_file() => (part, validator),
            _ => {
                let part = videohub::__private::create_part_file(path)?;
                if let Err(error) = self.journal().set_part(&job.id, &part).await {
                    crate::store::remove_file(&part);
                    return Err(error);
                }
                (part, None)
            }
        };
        let (sender, mut validators) = mpsc::unbounded_channel::<String>();
        let save = file.save_continuing(path, &part, validator.as_deref(), move |v| {
            let _ = sender.send(v.to_owned());
        });
        let record = async {
            while let Some(validator) = validators.recv().await {
                if let Err(error) = self.journal().set_part_validator(&job.id, &validator).await {
                    tracing::warn!(job = %job.id, %error, "could not record the download's validator");
                }
            }
        };
        let (saved, ()) = futures::join!(save, record);
        Ok(saved?)
    }

    /// For a job that reuses an earlier job's task: that job's file, still whole (its
    /// recorded size and checksum), linked (or copied) to `path` and recorded. `None` when
    /// the job reuses nothing or the earlier file is gone or changed: it is downloaded.
    async fn copy_reused(&self, job: &Job, path: &Path) -> Result<Option<Job>> {
        let Some(paid_id) = &job.reused_from else {
            return Ok(None);
        };
        let paid = match self.journal().job(paid_id).await {
            Ok(paid) => paid,
            Err(Error::NoSuchJob { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let Some(source) = paid.file_path.clone() else {
            return Ok(None);
        };
        let intact = match (std::fs::metadata(&source), &paid.sha256) {
            (Ok(meta), Some(sha)) if Some(meta.len()) == paid.file_size => {
                sha256_of(&source).await.ok().as_ref() == Some(sha)
            }
            _ => false,
        };
        if !intact {
            tracing::info!(job = %job.id, source = %source.display(), "the reused file is gone or changed: downloading it again");
            return Ok(None);
        }
        if source != path {
            link_or_copy(&source, path)?;
        }
        let size = paid.file_size.unwrap_or(0);
        self.saved(job.clone(), path.to_path_buf(), size, Some(&paid))
            .await
            .map(Some)
    }
}

/// The task's file; [`videohub::Error::NoOutputFile`] when the output has none.
fn file_of(output: &Output) -> Result<&OutputFile> {
    output.file().ok_or_else(|| {
        Error::Hub(videohub::Error::NoOutputFile {
            task_id: output.task_id().to_owned(),
        })
    })
}

/// Puts a copy of `source` at `path`, whole or not at all: a hard link (or a copy across
/// file systems) made under a part file's name, then renamed into place.
fn link_or_copy(source: &Path, path: &Path) -> Result<()> {
    let part = videohub::__private::create_part_file(path)?;
    let io = |action: &'static str, at: &Path| {
        let at = at.to_path_buf();
        move |source| {
            Error::Hub(videohub::Error::Io {
                action,
                path: at.clone(),
                source,
            })
        }
    };
    let placed = std::fs::remove_file(&part)
        .and_then(|()| std::fs::hard_link(source, &part))
        .or_else(|_| std::fs::copy(source, &part).map(drop))
        .map_err(io("cannot copy the file to", &part))
        .and_then(|()| std::fs::rename(&part, path).map_err(io("cannot move the copy to", path)));
    if placed.is_err() {
        crate::store::remove_file(&part);
    }
    placed
}

pub(crate) async fn sha256_of(path: &Path) -> Result<String> {
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
