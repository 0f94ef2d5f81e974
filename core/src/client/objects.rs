//! The client's object stores: a destination checked before anything is paid for, uploads
//! started, recorded and aborted by id, objects copied inside their store and looked at.

use crate::error::{Error, Result};
use crate::object_url::ObjectUrl;
use crate::objects::Upload;
use object_store::ObjectStoreExt;

use super::Client;

/// What a store says of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its size in bytes.
    pub size: u64,
    /// Its entity tag, when the store gave one.
    pub etag: Option<String>,
}

impl Client {
    /// Proves, before anything is paid for, that an object can be saved at `url` (an object,
    /// or a prefix): puts a small trial object beside it and deletes it. A missing bucket,
    /// a denied write or a bad credential is [`Error::Storage`] (with `refused`); a store
    /// that cannot be configured is [`Error::Config`].
    pub async fn check_object_destination(&self, url: &ObjectUrl) -> Result<()> {
        self.hub.buckets().get(url)?.probe(url).await
    }

    /// Starts a multipart upload to the object `url`, for
    /// [`OutputFile::upload`](crate::OutputFile::upload): record it before the first byte,
    /// so that a process killed in the middle leaves an upload the next one can abort.
    pub async fn start_upload(&self, url: &ObjectUrl) -> Result<Upload> {
        let bucket = self.hub.buckets().get(url)?;
        let key = url.expect_object().and_then(|()| bucket.key(url))?;
        let id = bucket
            .store()
            .create_multipart(&key)
            .await
            .map_err(|e| bucket.error("cannot start an upload to", url, e))?;
        Ok(Upload::new(url.clone(), id))
    }

    /// Aborts an upload started by this process or another (its parts are dropped: they
    /// cost storage). An upload already completed or aborted is no error.
    pub async fn abort_upload(&self, upload: &Upload) -> Result<()> {
        let bucket = self.hub.buckets().get(upload.url())?;
        let key = bucket.key(upload.url())?;
        match bucket
            .store()
            .abort_multipart(&key, &upload.id().to_owned())
            .await
        {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(bucket.error("cannot abort the upload to", upload.url(), e)),
        }
    }

    /// Copies the object `from` to `to` inside their bucket ([`Error::BadDestination`] for
    /// two buckets): nothing crosses this machine.
    pub async fn copy_object(&self, from: &ObjectUrl, to: &ObjectUrl) -> Result<()> {
        from.expect_object().and(to.expect_object())?;
        if (from.scheme(), from.bucket()) != (to.scheme(), to.bucket()) {
            return Err(Error::BadDestination {
                destination: to.to_string(),
                reason: format!("a copy stays inside the bucket of {from}"),
            });
        }
        let bucket = self.hub.buckets().get(to)?;
        let (source, target) = (bucket.key(from)?, bucket.key(to)?);
        bucket
            .store()
            .copy(&source, &target)
            .await
            .map_err(|e| bucket.error("cannot copy to", to, e))
    }

    /// The size and entity tag of the object `url`; [`Error::Storage`] with `refused` when
    /// it does not exist.
    pub async fn object_info(&self, url: &ObjectUrl) -> Result<ObjectInfo> {
        let bucket = self.hub.buckets().get(url)?;
        let meta = bucket
            .store()
            .head(&bucket.key(url)?)
            .await
            .map_err(|e| bucket.error("cannot read", url, e))?;
        Ok(ObjectInfo {
            size: meta.size,
            etag: meta.e_tag,
        })
    }
}
