//! Outputs saved as objects (`s3://bucket/key`, `gs://…`, `az://…`), with the
//! `object-store` feature: the same promise as for files. The bucket is proven writable
//! before a submit (a trial object put and deleted); the download streams into a multipart
//! upload recorded before its first part, and the object is recorded, with its size,
//! SHA-256 and entity tag, only once complete; an upload a stopped process left is aborted
//! (by the next process driving the job, or by the sweep of part files); a reused task's
//! object is copied inside its store.

use std::path::{Path, PathBuf};

use videohub::Destination;
#[cfg(feature = "object-store")]
use {
    crate::job::Job,
    crate::run::Runner,
    crate::save::Saved,
    crate::store::Journal,
    std::time::{Duration, Instant},
    videohub::{Client, ObjectUrl, OutputFile, Upload},
};

use crate::error::{Error, Result};

/// Where a job's file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file on this machine.
    File(PathBuf),
    /// An object in a store.
    #[cfg(feature = "object-store")]
    Object(ObjectUrl),
}

/// Where `path` (a job's output path) saves: a file, or an object. A URL of a scheme no
/// store serves, a key that climbs, or an object without the `object-store` feature is
/// [`Error::Destination`].
pub(crate) fn target(path: &Path) -> Result<Target> {
    let refused = |message: String| Error::Destination {
        dir: path.to_path_buf(),
        message,
    };
    match Destination::parse(path) {
        Ok(Destination::Path(file)) => Ok(Target::File(file)),
        #[cfg(feature = "object-store")]
        Ok(Destination::Object(url)) => Ok(Target::Object(url)),
        #[cfg(not(feature = "object-store"))]
        Ok(Destination::Object(url)) => Err(refused(format!(
            "saving to {}:// needs videohub's `object-store` feature",
            url.scheme()
        ))),
        Err(error) => Err(refused(error.to_string())),
    }
}

/// How long a bucket's folder, once proven writable, is taken as such by a runner.
#[cfg(feature = "object-store")]
const PROVEN_FOR: Duration = Duration::from_secs(300);

/// The folders of objects a runner proved writable, and when.
#[cfg(feature = "object-store")]
#[derive(Debug, Default)]
pub(crate) struct Proven(std::sync::Mutex<std::collections::HashMap<String, Instant>>);

#[cfg(feature = "object-store")]
impl Proven {
    fn recent(&self, folder: &str) -> bool {
        let proven = self.0.lock().unwrap_or_else(|e| e.into_inner());
        proven
            .get(folder)
            .is_some_and(|at| at.elapsed() < PROVEN_FOR)
    }

    fn insert(&self, folder: String) {
        let mut proven = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if proven.len() >= 1_024 {
            proven.clear();
        }
        proven.insert(folder, Instant::now());
    }
}

#[cfg(feature = "object-store")]
impl Runner {
    /// Proves that objects can be saved beside `url` before anything is paid for (once in
    /// a while per folder): a trial object put and deleted. A missing bucket, a denied
    /// write or a bad credential is [`Error::Destination`]: nothing is sent.
    pub(crate) async fn probe(&self, url: &ObjectUrl) -> Result<()> {
        let text = url.to_string();
        let folder = text.rsplit_once('/').map_or(text.as_str(), |(f, _)| f);
        if self.proven.recent(folder) {
            return Ok(());
        }
        self.client()
            .check_object_destination(url)
            .await
            .map_err(|error| Error::Destination {
                dir: PathBuf::from(&text),
                message: error.to_string(),
            })?;
        self.proven.insert(folder.to_owned());
        Ok(())
    }

    /// Streams `file` into the object `url`: an upload an earlier process left for the
    /// job is aborted first (the download starts over), the new one is recorded before its
    /// first part, and the object exists only once whole.
    pub(crate) async fn upload(
        &self,
        job: &Job,
        file: &OutputFile,
        url: &ObjectUrl,
    ) -> Result<Saved> {
        abort_recorded(self.journal(), self.client(), &job.id).await?;
        let upload = self.client().start_upload(url).await?;
        if let Err(error) = self
            .journal()
            .set_upload(&job.id, self.owner(), &url.to_string(), upload.id())
            .await
        {
            if let Err(abort) = self.client().abort_upload(&upload).await {
                tracing::warn!(job = %job.id, error = %abort, "could not abort an upload not recorded");
            }
            return Err(error);
        }
        let uploaded = file.upload(&upload).await?;
        Ok(Saved {
            path: PathBuf::from(uploaded.url.to_string()),
            size: uploaded.size,
            sha256: Some(uploaded.sha256),
            etag: uploaded.etag,
        })
    }

    /// The object `source` of the paid job `paid`, still as recorded (its size and entity
    /// tag), copied to `url` inside their bucket: nothing crosses this machine. `None` when
    /// the two are in different buckets, or the source is gone or changed.
    pub(crate) async fn copy_object(
        &self,
        paid: &Job,
        source: &ObjectUrl,
        url: &ObjectUrl,
    ) -> Result<Option<Saved>> {
        if (source.scheme(), source.bucket()) != (url.scheme(), url.bucket()) {
            return Ok(None);
        }
        let client = self.client();
        let intact = match client.object_info(source).await {
            Ok(info) => Some(info.size) == paid.file_size && info.etag == paid.etag,
            Err(videohub::Error::Storage { refused: true, .. }) => false,
            Err(error) => return Err(error.into()),
        };
        if !intact {
            return Ok(None);
        }
        if source != url {
            client.copy_object(source, url).await?;
        }
        let info = client.object_info(url).await?;
        Ok(Some(Saved {
            path: PathBuf::from(url.to_string()),
            size: info.size,
            sha256: paid.sha256.clone(),
            etag: info.etag,
        }))
    }
}

/// Aborts the upload recorded for job `id`, if any, and forgets it.
#[cfg(feature = "object-store")]
async fn abort_recorded(journal: &Journal, client: &Client, id: &str) -> Result<()> {
    let Some((url, upload_id)) = journal.upload_of(id).await? else {
        return Ok(());
    };
    match url.parse::<ObjectUrl>() {
        Ok(url) => {
            tracing::info!(job = %id, object = %url, "aborting an upload no process continues");
            client.abort_upload(&Upload::new(url, upload_id)).await?;
        }
        Err(error) => tracing::warn!(job = %id, %error, "an upload recorded for an unreadable URL"),
    }
    journal.remove_part(id, None).await
}

#[cfg(feature = "object-store")]
impl Journal {
    /// Aborts the multipart uploads no job will continue (those of jobs that ended, and
    /// those of unfinished jobs that no live process holds): their parts cost storage.
    /// Returns how many were aborted. Run with [`Journal::sweep_parts`].
    pub async fn sweep_uploads(&self, client: &Client) -> Result<usize> {
        let abandoned = self.abandoned_uploads().await?;
        for id in &abandoned {
            abort_recorded(self, client, id).await?;
        }
        Ok(abandoned.len())
    }
}
