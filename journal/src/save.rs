//! Saving a job's output: into a part file the journal records, so that a process killed
//! in the middle leaves a download the next one continues (with a range request), and
//! from the file of an earlier job when the job reuses its task.
//!
//! A part file is written by one download only: a download that takes over a recorded
//! part (another process's, which may still be writing it after losing its lease) copies
//! its bytes into a part of its own and continues that one. The checksum recorded is read
//! back from the saved file, whose length must be the bytes saved.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use videohub::{Output, OutputFile};

use crate::error::{Error, Result};
use crate::job::Job;
use crate::objects::{Target, target};
use crate::run::{Downloading, Runner, Step};
use crate::state::JobState;
use crate::store::Change;

/// A file saved: where, how large, its SHA-256 (read back from the file when not known
/// yet), and an object's entity tag.
pub(crate) struct Saved {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) sha256: Option<String>,
    pub(crate) etag: Option<String>,
}

impl Runner {
    /// Saves the output (a file, or an object) and records it, its size and checksum.
    /// `downloading` says when the download is under way (a graceful stop lets it finish).
    pub(crate) async fn download(
        &self,
        job: Job,
        output: Output,
        downloading: &Downloading,
        on_step: &mut impl FnMut(Step<'_>),
    ) -> Result<Job> {
        let path = job.output_file();
        let target = target(&path)?;
        // Buffers exist only for the downloads running: a few at once.
        let _turn = self.downloads.acquire().await.ok();
        downloading.set(true);
        on_step(Step::Downloading {
            job: &job,
            path: &path,
        });
        if let Some(done) = self.copy_reused(&job, &target).await? {
            return Ok(done);
        }
        let saved = match self.save_to(&job, file_of(&output)?, &target).await {
            Err(error) if is_expired_link(&error) => {
                let fresh = self.fresh_output(&job).await?;
                self.save_to(&job, file_of(&fresh)?, &target).await
            }
            other => other,
        };
        let saved = match saved {
            Ok(saved) => saved,
            Err(error @ Error::LeaseLost { .. }) => return Err(error),
            Err(error) => {
                // A download cut short keeps its part file for the next try; one that
                // cannot succeed as it went does not, nor does an upload (aborted).
                let interrupted = matches!(
                    error,
                    Error::Hub(videohub::Error::DownloadInterrupted { .. })
                );
                if !interrupted || !matches!(target, Target::File(_)) {
                    self.persist(|| self.journal().remove_part(&job.id, Some(self.owner())))
                        .await?;
                }
                let note = format!("download failed: {error}");
                self.persist(|| self.journal().note(&job.id, self.owner(), &note))
                    .await?;
                return Err(error);
            }
        };
        self.saved(job, saved, None).await
    }

    /// Saves `file` where `target` says.
    async fn save_to(&self, job: &Job, file: &OutputFile, target: &Target) -> Result<Saved> {
        match target {
            Target::File(path) => Ok(Saved {
                size: self.save_part(job, file, path).await?,
                path: path.clone(),
                sha256: None,
                etag: None,
            }),
            #[cfg(feature = "object-store")]
            Target::Object(url) => self.upload(job, file, url).await,
        }
    }

    /// Downloads downloaded job `job`'s file again from its task to `target` (no submit, and
    /// nothing recorded): for a copy in another folder whose first file cannot be read
    /// here.
    pub(crate) async fn save_again(&self, job: &Job, target: &Path) -> Result<u64> {
        let output = self.stored_output(job)?;
        match file_of(&output)?.save(target).await.map_err(Error::Hub) {
            Err(error) if is_expired_link(&error) => {
                let fresh = self.fresh_output(job).await?;
                Ok(file_of(&fresh)?.save(target).await?)
            }
            done => done,
        }
    }

    /// The task's output as the hub gives it now: its file's link may have expired.
    async fn fresh_output(&self, job: &Job) -> Result<Output> {
        let task = self.task_of(job);
        Ok(task.status().await?.into_output(self.client(), task.id())?)
    }

    /// Records a saved file: state downloaded, path, size, checksum (and an object's entity
    /// tag); the part file or upload is forgotten.
    async fn saved(&self, job: Job, saved: Saved, from: Option<&Job>) -> Result<Job> {
        let Saved {
            path,
            size,
            sha256,
            etag,
        } = saved;
        let sha256 = match sha256 {
            Some(sha256) => sha256,
            None => sha256_checked(&path, size).await?,
        };
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
        change.etag = etag;
        let done = self
            .transition(&job.id, &[JobState::Completed], change)
            .await?;
        self.persist(|| self.journal().remove_part(&job.id, Some(self.owner())))
            .await?;
        self.persist(|| self.journal().job(&done.id)).await
    }

    /// Downloads `file` to `path` through a part file of this download's own, recorded
    /// before the first byte is asked for. The bytes of the part an earlier download
    /// recorded (when it is still there, with the validator of its answer) are copied into
    /// it first and continued from their length; that part is then removed, never written
    /// again: the process that wrote it may still be writing.
    async fn save_part(&self, job: &Job, file: &OutputFile, path: &Path) -> Result<u64> {
        let earlier = self.persist(|| self.journal().part_of(&job.id)).await?;
        let part = videohub::__private::create_part_file(path)?;
        let validator = match &earlier {
            Some((old, Some(validator))) if old.is_file() => {
                match tokio::fs::copy(old, &part).await {
                    Ok(_) => Some(validator.clone()),
                    Err(error) => {
                        tracing::warn!(job = %job.id, part = %old.display(), %error, "cannot copy the earlier part file: downloading from the start");
                        None
                    }
                }
            }
            _ => None,
        };
        let recorded = self
            .persist(|| {
                self.journal()
                    .set_part(&job.id, self.owner(), &part, validator.as_deref())
            })
            .await;
        if let Err(error) = recorded {
            crate::store::remove_file(&part);
            return Err(error);
        }
        if let Some((old, _)) = earlier {
            crate::store::remove_file(&old);
        }
        let (sender, mut validators) = mpsc::unbounded_channel::<String>();
        let save = file.save_continuing(path, &part, validator.as_deref(), move |v| {
            let _ = sender.send(v.to_owned());
        });
        let record = async {
            while let Some(validator) = validators.recv().await {
                let recorded = self
                    .journal()
                    .set_part_validator(&job.id, self.owner(), &validator)
                    .await;
                if let Err(error) = recorded {
                    tracing::warn!(job = %job.id, %error, "could not record the download's validator");
                }
            }
        };
        let (saved, ()) = futures::join!(save, record);
        Ok(saved?)
    }

    /// For a job that reuses an earlier job's task: that job's file, still whole (its
    /// recorded size and checksum), linked (or copied) to `target`, or its object copied
    /// inside its bucket, and recorded. `None` when the job reuses nothing, or the earlier
    /// file is gone or changed, or the two are not in one place: it is downloaded.
    async fn copy_reused(&self, job: &Job, target: &Target) -> Result<Option<Job>> {
        let Some(paid_id) = &job.reused_from else {
            return Ok(None);
        };
        let paid = match self.persist(|| self.journal().job(paid_id)).await {
            Ok(paid) => paid,
            Err(Error::NoSuchJob { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let Some(source) = paid.file_path.clone() else {
            return Ok(None);
        };
        let copied = match (crate::objects::target(&source), target) {
            (Ok(Target::File(source)), Target::File(path)) => {
                copy_file(&paid, &source, path).await?
            }
            #[cfg(feature = "object-store")]
            (Ok(Target::Object(source)), Target::Object(url)) => {
                self.copy_object(&paid, &source, url).await?
            }
            _ => None,
        };
        let Some(copied) = copied else {
            tracing::info!(job = %job.id, source = %source.display(), "the reused file is gone, changed or elsewhere: downloading it again");
            return Ok(None);
        };
        self.saved(job.clone(), copied, Some(&paid)).await.map(Some)
    }
}

/// The paid job `paid`'s file `source`, still whole (its recorded size and checksum),
/// linked (or copied) to `path`; `None` when it is gone or changed.
async fn copy_file(paid: &Job, source: &Path, path: &Path) -> Result<Option<Saved>> {
    if !is_intact(source, paid).await {
        return Ok(None);
    }
    if source != path {
        link_or_copy(source, path)?;
    }
    Ok(Some(Saved {
        path: path.to_path_buf(),
        size: paid.file_size.unwrap_or(0),
        sha256: None,
        etag: None,
    }))
}

/// The task's file; [`videohub::Error::NoOutputFile`] when the output has none.
fn file_of(output: &Output) -> Result<&OutputFile> {
    output.file().ok_or_else(|| {
        Error::Hub(videohub::Error::NoOutputFile {
            task_id: output.task_id().to_owned(),
        })
    })
}

/// Whether a download failed on a link that may have expired (403, 404, 410): the hub
/// gives the task's output again with a new one.
fn is_expired_link(error: &Error) -> bool {
    matches!(
        error,
        Error::Hub(videohub::Error::DownloadStatus {
            status: 403 | 404 | 410,
        })
    )
}

/// Whether `file` holds what downloaded job `job` recorded: its size and checksum.
pub(crate) async fn is_intact(file: &Path, job: &Job) -> bool {
    match (std::fs::metadata(file), &job.sha256) {
        (Ok(meta), Some(sha)) if Some(meta.len()) == job.file_size => {
            sha256_of(file).await.ok().as_ref() == Some(sha)
        }
        _ => false,
    }
}

/// Puts a copy of `source` at `path`, whole or not at all: a hard link (or a copy across
/// file systems) made under a part file's name, then renamed into place.
pub(crate) fn link_or_copy(source: &Path, path: &Path) -> Result<()> {
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

/// The SHA-256 of the file at `path`, in hex.
pub(crate) async fn sha256_of(path: &Path) -> Result<String> {
    Ok(read_back(path).await?.0)
}

/// The SHA-256 of the file at `path`, which must hold the `size` bytes just saved there:
/// a file of another length was written meanwhile by someone else, and its checksum is
/// not this download's.
async fn sha256_checked(path: &Path, size: u64) -> Result<String> {
    let (sha256, read) = read_back(path).await?;
    if read != size {
        return Err(Error::ReadBack {
            path: path.to_path_buf(),
            source: std::io::Error::other(format!(
                "it holds {read} bytes where {size} were saved: something else wrote it meanwhile"
            )),
        });
    }
    Ok(sha256)
}

/// The SHA-256 of the file at `path`, in hex, and its length.
async fn read_back(path: &Path) -> Result<(String, u64)> {
    let read_back = |source| Error::ReadBack {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(read_back)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    let mut read = 0;
    loop {
        let n = file.read(&mut buffer).await.map_err(read_back)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        read += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), read))
}
