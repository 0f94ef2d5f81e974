//! Every file of a batch in every folder it is run into: once the batch is done, the files
//! downloaded into other folders (by other workers, or by runs into other folders) are
//! linked, copied, or downloaded again from the same task (no submit) into this run's.

use std::path::{Path, PathBuf};

use futures::StreamExt;

use super::LineEnd;
use super::work::Shared;
use crate::batch_lines::scratch;
use crate::error::{Error, Result};
use crate::run::{DOWNLOADS_AT_ONCE, Runner};
use crate::save::{is_intact, link_or_copy, sha256_of};
use crate::spool::{Sealed, Spool};
use crate::state::JobState;

/// Bytes a job id takes in the list of the files to copy (an id is 19 characters).
const ID: usize = 32;

/// Copies into the run's folder the file of every downloaded job of the batch that is
/// elsewhere, and yields each line so copied. Their ids are listed first (in a temporary
/// file past a few megabytes: a batch of a million lines downloaded elsewhere takes the
/// memory of a few thousand), then the journal is read again job by job.
pub(super) async fn copy_in(runner: &Runner, shared: &Shared) {
    let ids = match runner.persist(|| files_elsewhere(runner, shared)).await {
        Ok(ids) => ids,
        Err(error) => {
            shared.send(LineEnd::Stopped(error)).await;
            return;
        }
    };
    let mut copies = futures::stream::iter(ids.records())
        .map(|record| async move {
            match record {
                Ok(record) => copy_one(runner, id_of(&record), &shared.folder).await,
                Err(error) => LineEnd::Stopped(scratch(error)),
            }
        })
        .buffer_unordered(DOWNLOADS_AT_ONCE);
    while let Some(end) = copies.next().await {
        if !shared.send(end).await {
            return;
        }
    }
}

/// The ids of the batch's jobs downloaded into another folder than the run's.
async fn files_elsewhere(runner: &Runner, shared: &Shared) -> Result<Sealed<ID>> {
    let mut ids = Spool::new();
    let mut found = std::pin::pin!(
        runner
            .journal()
            .batch_files_elsewhere(&shared.batch, &shared.folder)
    );
    while let Some(id) = found.next().await {
        let id = id?;
        let mut record = [0; ID];
        match record.get_mut(..id.len()) {
            Some(place) => place.copy_from_slice(id.as_bytes()),
            None => {
                return Err(Error::BadColumn {
                    message: format!("longer than the {ID} bytes of a job id"),
                    column: "id".into(),
                    id,
                });
            }
        }
        ids.push(record).map_err(scratch)?;
    }
    ids.seal().map_err(scratch)
}

/// The job id a record of the list holds.
fn id_of(record: &[u8; ID]) -> String {
    let end = record.iter().position(|b| *b == 0).unwrap_or(ID);
    String::from_utf8_lossy(&record[..end]).into_owned()
}

/// How one file was put in the folder.
enum How {
    /// An earlier run into this folder did.
    Already,
    /// Linked (or copied) from the file of the worker that downloaded it.
    Linked(PathBuf),
    /// Downloaded again from the same task: that file is gone, changed, or on another
    /// machine.
    Downloaded,
}

async fn copy_one(runner: &Runner, id: String, folder: &Path) -> LineEnd {
    let journal = runner.journal();
    let job = match runner.persist(|| journal.job(&id)).await {
        Ok(job) => job,
        Err(error) => return LineEnd::Stopped(error),
    };
    let Some(target) = job.output_file_in(folder) else {
        return LineEnd::Final(job);
    };
    let how = match put(runner, &job, &target).await {
        Ok(how) => how,
        Err(error) => return LineEnd::Stopped(error),
    };
    let detail = match &how {
        How::Already => None,
        How::Linked(source) => Some(format!(
            "{} linked (or copied) from {}",
            target.display(),
            source.display()
        )),
        How::Downloaded => Some(format!(
            "{} downloaded again from task {} (no submit)",
            target.display(),
            job.task_id.as_deref().unwrap_or("?")
        )),
    };
    if let Some(detail) = detail {
        let recorded = runner
            .persist(|| journal.record_copy(&job.id, JobState::Downloaded, &detail))
            .await;
        if let Err(error) = recorded {
            tracing::warn!(job = %job.id, %error, "could not record the copy of the file");
        }
    }
    LineEnd::Copied { job, file: target }
}

/// Puts downloaded job `job`'s file at `target`, whole or not at all: an object is copied
/// inside its bucket when the first one is there as recorded.
async fn put(runner: &Runner, job: &crate::Job, target: &Path) -> Result<How> {
    #[cfg(feature = "object-store")]
    if let Some(source) = copied_object(runner, job, target).await? {
        return Ok(How::Linked(source));
    }
    if is_intact(target, job).await {
        return Ok(How::Already);
    }
    if let Some(source) = &job.file_path
        && is_intact(source, job).await
    {
        link_or_copy(source, target)?;
        return Ok(How::Linked(source.clone()));
    }
    let _turn = runner.downloads.acquire().await.ok();
    runner.save_again(job, target).await?;
    if target.is_file() && sha256_of(target).await.ok() != job.sha256 {
        tracing::warn!(job = %job.id, file = %target.display(), "the task's file downloaded again differs from the one first recorded");
    }
    Ok(How::Downloaded)
}

/// The object of downloaded job `job`, copied to the object `target` inside their bucket
/// when both are objects of one bucket and the first is as recorded; its URL then.
#[cfg(feature = "object-store")]
async fn copied_object(
    runner: &Runner,
    job: &crate::Job,
    target: &Path,
) -> Result<Option<PathBuf>> {
    use crate::objects::{Target, target as target_of};
    let (Some(source), Ok(Target::Object(to))) = (&job.file_path, target_of(target)) else {
        return Ok(None);
    };
    let Ok(Target::Object(from)) = target_of(source) else {
        return Ok(None);
    };
    let copied = runner.copy_object(job, &from, &to).await?;
    Ok(copied.map(|_| source.clone()))
}
