//! Saving a generated file as an object: the same tries as a file's (URL rules, no key
//! sent, size limit, kind checked on the first bytes, resumed after network trouble), into
//! an upload that is completed only when the file is whole and aborted otherwise.

use reqwest::Url;
use tracing::Instrument;

use super::transfer::{Progress, Transfer};
use crate::error::Result;
use crate::object_url::ObjectUrl;
use crate::objects::{ObjectSink, Upload, Uploaded, part_size};
use crate::output::OutputFile;

impl OutputFile {
    /// Streams the file into `upload` (started with
    /// [`Client::start_upload`](crate::Client::start_upload) and recorded by the caller),
    /// and completes it when the file is whole: the object exists only then. Returns the
    /// object's URL, size, SHA-256 and the store's `ETag`.
    ///
    /// The download is that of [`save`](OutputFile::save), with the same checks and tries;
    /// its bytes go to the store in parts of 8 MiB (more for a client whose
    /// [`max_download_size`](crate::ClientBuilder::max_download_size) needs more than
    /// 10,000 of them), at most two parts being sent while the next fills, so memory stays
    /// bounded whatever the file's size. A try that restarts from zero sends its parts
    /// again under the same numbers. On any error the upload is aborted (its parts are
    /// dropped from the store) and nothing is saved; a store's refusal is
    /// [`Error::Storage`](crate::Error::Storage).
    pub async fn upload(&self, upload: &Upload) -> Result<Uploaded> {
        self.upload_to(upload.url(), Some(upload)).await
    }

    /// Saves the file as the object `object`, into `started` when given; a file smaller
    /// than a part and no upload started is put whole.
    pub(super) async fn upload_to(
        &self,
        object: &ObjectUrl,
        started: Option<&Upload>,
    ) -> Result<Uploaded> {
        object.expect_object()?;
        let (url, span) = self.download_url(object).map_err(|e| self.shown(e))?;
        self.upload_from(url, object, started)
            .instrument(span)
            .await
            .map_err(|e| self.shown(e))
    }

    async fn upload_from(
        &self,
        url: Url,
        object: &ObjectUrl,
        started: Option<&Upload>,
    ) -> Result<Uploaded> {
        self.check_url(&url)?;
        let bucket = self.hub.buckets().get(object)?;
        let part_size = part_size(self.max_size());
        let sink = ObjectSink::new(bucket, object.clone(), part_size, started)?;
        let transfer = Transfer {
            sink,
            progress: Progress::default(),
            on_validator: None,
        };
        let (transfer, tries) = self.tries(&url, transfer).await;
        let Transfer {
            mut sink, progress, ..
        } = transfer;
        let whole = tries.and_then(|tries| self.check_whole(&progress).map(|()| tries));
        let saved = match whole {
            Ok(tries) => sink.finish().await.map(|uploaded| (tries, uploaded)),
            Err(error) => Err(error),
        };
        match saved {
            Ok((tries, uploaded)) => {
                tracing::info!(bytes = uploaded.size, attempts = tries, object = %object, "object saved");
                Ok(uploaded)
            }
            Err(error) => {
                sink.abort().await;
                Err(error)
            }
        }
    }
}
