//! The client's object stores: a destination checked before anything is paid for, uploads
//! started, recorded and aborted by id, objects copied inside their store, looked at and
//! read.

use std::fmt;
use std::ops::Range;

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use object_store::{GetOptions, GetRange, ObjectStoreExt};

use crate::error::{Error, Result};
use crate::object_url::ObjectUrl;
use crate::objects::Upload;

use super::Client;

/// What a store says of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its size in bytes.
    pub size: u64,
    /// Its entity tag, when the store gave one.
    pub etag: Option<String>,
}

/// An object being read: its size, the bytes asked for, and a stream of them.
pub struct ObjectRead {
    /// The whole object's size in bytes.
    pub size: u64,
    /// The bytes the stream holds (all of them, or the range asked for).
    pub range: Range<u64>,
    stream: BoxStream<'static, Result<Bytes>>,
}

impl fmt::Debug for ObjectRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectRead")
            .field("size", &self.size)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

impl ObjectRead {
    /// The bytes, as the store sends them.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + 'static {
        self.stream
    }
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

impl Client {
    /// Reads the object `url`, whole or the bytes of `range` (its end past the object's is
    /// cut to it), as a stream: served as it comes, never held whole. An object that does
    /// not exist, or a range that starts past its end, is [`Error::Storage`].
    pub async fn read_object(
        &self,
        url: &ObjectUrl,
        range: Option<Range<u64>>,
    ) -> Result<ObjectRead> {
        let bucket = self.hub.buckets().get(url)?;
        let key = url.expect_object().and_then(|()| bucket.key(url))?;
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = bucket
            .store()
            .get_opts(&key, options)
            .await
            .map_err(|e| bucket.error("cannot read", url, e))?;
        let (size, range) = (got.meta.size, got.range.clone());
        let (failed, url) = (bucket.clone(), url.clone());
        let stream = got
            .into_stream()
            .map(move |chunk| chunk.map_err(|e| failed.error("cannot read", &url, e)))
            .boxed();
        Ok(ObjectRead {
            size,
            range,
            stream,
        })
    }
}
