//! An upload fed as a download's bytes come: buffered one part at a time, full parts sent
//! while the next fills (at most [`IN_FLIGHT`] at once, so a transfer holds a few parts of
//! memory whatever the file's size), hashed on the way. A file smaller than a part is put
//! whole, unless the upload was started beforehand (and recorded) by its caller.

use std::sync::Arc;

use object_store::multipart::PartId;
use object_store::path::Path as Key;
use object_store::{MultipartId, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use super::{Bucket, Upload, Uploaded};
use crate::error::{Error, Result};
use crate::object_url::ObjectUrl;

/// The most parts sent at once by one transfer.
pub(crate) const IN_FLIGHT: usize = 2;

/// The smallest part: stores take parts of 5 MiB or more (but the last).
const MIN_PART: u64 = 8 << 20;

/// The most parts of an upload (S3's and GCS's limit; Azure's is higher).
const MAX_PARTS: u64 = 10_000;

/// The part size for files of up to `max_size` bytes: 8 MiB, or more when the largest file
/// would need more than [`MAX_PARTS`] parts (a whole number of MiB).
pub(crate) fn part_size(max_size: u64) -> usize {
    let needed = max_size.div_ceil(MAX_PARTS).div_ceil(1 << 20) << 20;
    usize::try_from(needed.max(MIN_PART)).unwrap_or(usize::MAX)
}

/// Where a download's bytes go when its destination is an object.
pub(crate) struct ObjectSink {
    bucket: Arc<Bucket>,
    url: ObjectUrl,
    key: Key,
    part_size: usize,
    /// The bytes of the part being filled.
    buffer: Vec<u8>,
    /// The multipart upload, once started (by the caller, or by the first full part).
    upload: Option<MultipartId>,
    /// The parts sent and acknowledged, by index.
    parts: Vec<Option<PartId>>,
    /// The parts being sent: their index and the store's answer.
    sending: JoinSet<(usize, object_store::Result<PartId>)>,
    /// The index of the next part.
    next: usize,
    hasher: Sha256,
    size: u64,
}

impl ObjectSink {
    /// A sink into the object `url` of `bucket`, in parts of `part_size` bytes; into
    /// `upload` when the caller started one.
    pub(crate) fn new(
        bucket: Arc<Bucket>,
        url: ObjectUrl,
        part_size: usize,
        upload: Option<&Upload>,
    ) -> Result<ObjectSink> {
        let key = bucket.key(&url)?;
        Ok(ObjectSink {
            bucket,
            url,
            key,
            part_size,
            buffer: Vec::new(),
            upload: upload.map(|u| u.id().to_owned()),
            parts: Vec::new(),
            sending: JoinSet::new(),
            next: 0,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Takes `bytes`; sends every part they fill, waiting while [`IN_FLIGHT`] are out.
    pub(crate) async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        while !bytes.is_empty() {
            if self.buffer.capacity() == 0 {
                self.buffer.reserve_exact(self.part_size);
            }
            let room = self.part_size - self.buffer.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buffer.extend_from_slice(now);
            bytes = later;
            if self.buffer.len() == self.part_size {
                let part = std::mem::take(&mut self.buffer);
                self.send(part).await?;
            }
        }
        Ok(())
    }

    /// Forgets every byte taken, to be written again from the first: the parts out are
    /// waited for, and the next part sent is the first again (a store completes an upload
    /// with the parts it is given, so the earlier ones are left out).
    pub(crate) async fn restart(&mut self) {
        while self.sending.join_next().await.is_some() {}
        self.parts.clear();
        self.next = 0;
        self.buffer = Vec::new();
        self.hasher = Sha256::new();
        self.size = 0;
    }

    /// Saves the object: the last part sent and the upload completed, or, for a file
    /// smaller than a part and no upload started, the file put whole.
    pub(crate) async fn finish(&mut self) -> Result<Uploaded> {
        let store = self.bucket.shared();
        let etag = match self.upload.clone() {
            None => {
                let payload = PutPayload::from(std::mem::take(&mut self.buffer));
                let put = store.put(&self.key, payload).await;
                put.map_err(|e| self.bucket.error("cannot upload to", &self.url, e))?
                    .e_tag
            }
            Some(id) => {
                if !self.buffer.is_empty() || self.next == 0 {
                    let last = std::mem::take(&mut self.buffer);
                    self.send(last).await?;
                }
                while let Some(done) = self.sending.join_next().await {
                    self.acknowledge(done)?;
                }
                let parts = self.parts.drain(..).collect::<Option<Vec<_>>>();
                let parts = parts.ok_or_else(|| self.failed("a part was not acknowledged"))?;
                let completed = store.complete_multipart(&self.key, &id, parts).await;
                completed
                    .map_err(|e| {
                        self.bucket
                            .error("cannot complete the upload to", &self.url, e)
                    })?
                    .e_tag
            }
        };
        Ok(Uploaded {
            url: self.url.clone(),
            size: self.size,
            sha256: hex::encode(self.hasher.finalize_reset()),
            etag,
        })
    }

    /// Gives the upload up: the parts out are stopped and the store told to drop the parts
    /// it holds (a failure to is logged: the upload's id, when recorded, lets a later
    /// process try again).
    pub(crate) async fn abort(mut self) {
        self.sending.abort_all();
        while self.sending.join_next().await.is_some() {}
        if let Some(id) = self.upload.take()
            && let Err(error) = self.bucket.store().abort_multipart(&self.key, &id).await
        {
            let error = self
                .bucket
                .error("cannot abort the upload to", &self.url, error);
            tracing::warn!(%error, "an unfinished upload is left in the store");
        }
    }

    /// Sends `part` as the next one, starting the upload first when none is.
    async fn send(&mut self, part: Vec<u8>) -> Result<()> {
        let id = match &self.upload {
            Some(id) => id.clone(),
            None => {
                let started = self.bucket.store().create_multipart(&self.key).await;
                let id = started
                    .map_err(|e| self.bucket.error("cannot start an upload to", &self.url, e))?;
                tracing::debug!(url = %self.url, "multipart upload started");
                self.upload = Some(id.clone());
                id
            }
        };
        while self.sending.len() >= IN_FLIGHT {
            let done = self.sending.join_next().await.expect("parts are out");
            self.acknowledge(done)?;
        }
        let (store, key, index) = (self.bucket.shared(), self.key.clone(), self.next);
        self.next += 1;
        self.parts.push(None);
        self.sending.spawn(async move {
            let sent = store
                .put_part(&key, &id, index, PutPayload::from(part))
                .await;
            (index, sent)
        });
        Ok(())
    }

    /// Records a part's answer; the store's error, or a part's task that ended without one.
    fn acknowledge(
        &mut self,
        done: std::result::Result<(usize, object_store::Result<PartId>), tokio::task::JoinError>,
    ) -> Result<()> {
        let (index, sent) = done.map_err(|e| self.failed(&e.to_string()))?;
        let part = sent.map_err(|e| self.bucket.error("cannot upload a part to", &self.url, e))?;
        self.parts[index] = Some(part);
        Ok(())
    }

    fn failed(&self, reason: &str) -> Error {
        Error::Storage {
            action: "cannot upload to",
            url: self.url.to_string(),
            message: reason.to_owned(),
            refused: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;
    use object_store::multipart::MultipartStore;

    /// A sink of parts of 1 KiB into a store in memory, and the store.
    fn sink(started: bool) -> (ObjectSink, Arc<InMemory>, ObjectUrl) {
        let url: ObjectUrl = "s3://b/v/fox.mp4".parse().unwrap();
        let memory = Arc::new(InMemory::new());
        let bucket = Arc::new(Bucket::new(&url, memory.clone(), Vec::new()));
        let upload = started.then(|| Upload::new(url.clone(), "set-below"));
        let mut sink = ObjectSink::new(bucket, url.clone(), 1024, upload.as_ref()).unwrap();
        if started {
            let key = sink.key.clone();
            let id = futures::executor::block_on(memory.create_multipart(&key)).unwrap();
            sink.upload = Some(id);
        }
        (sink, memory, url)
    }

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ seed)
            .collect()
    }

    async fn stored(memory: &InMemory, url: &ObjectUrl) -> Option<Vec<u8>> {
        let key = Key::parse(url.key()).unwrap();
        let got = memory.get(&key).await.ok()?;
        Some(got.bytes().await.unwrap().to_vec())
    }

    async fn write_in_odd_chunks(sink: &mut ObjectSink, body: &[u8]) {
        for chunk in body.chunks(333) {
            sink.write(chunk).await.unwrap();
        }
    }

    #[tokio::test]
    async fn parts_are_sent_as_they_fill_and_completed_in_order() {
        let (mut sink, memory, url) = sink(false);
        let body = bytes(10 * 1024 + 77, 1);
        write_in_odd_chunks(&mut sink, &body).await;
        assert!(sink.upload.is_some(), "a full part starts the upload");
        assert!(sink.sending.len() <= IN_FLIGHT);
        let uploaded = sink.finish().await.unwrap();
        assert_eq!(stored(&memory, &url).await.unwrap(), body);
        assert_eq!(uploaded.size, body.len() as u64);
        assert_eq!(uploaded.sha256, hex::encode(Sha256::digest(&body)));
    }

    #[tokio::test]
    async fn a_file_smaller_than_a_part_is_put_whole() {
        let (mut sink, memory, url) = sink(false);
        sink.write(b"small").await.unwrap();
        let uploaded = sink.finish().await.unwrap();
        assert!(sink.upload.is_none(), "no multipart upload");
        assert_eq!(stored(&memory, &url).await.unwrap(), b"small");
        assert!(uploaded.etag.is_some());
    }

    #[tokio::test]
    async fn a_started_upload_takes_even_a_small_file() {
        let (mut sink, memory, url) = sink(true);
        sink.write(b"small").await.unwrap();
        sink.finish().await.unwrap();
        assert_eq!(stored(&memory, &url).await.unwrap(), b"small");
    }

    #[tokio::test]
    async fn a_restart_sends_its_parts_again_from_the_first() {
        let (mut sink, memory, url) = sink(false);
        write_in_odd_chunks(&mut sink, &bytes(6 * 1024, 1)).await;
        sink.restart().await;
        let body = bytes(3 * 1024 + 5, 2);
        write_in_odd_chunks(&mut sink, &body).await;
        let uploaded = sink.finish().await.unwrap();
        assert_eq!(
            stored(&memory, &url).await.unwrap(),
            body,
            "the parts of before are left out"
        );
        assert_eq!(uploaded.sha256, hex::encode(Sha256::digest(&body)));
    }

    #[tokio::test]
    async fn an_aborted_upload_saves_nothing() {
        let (mut sink, memory, url) = sink(false);
        write_in_odd_chunks(&mut sink, &bytes(4 * 1024, 1)).await;
        sink.abort().await;
        assert_eq!(stored(&memory, &url).await, None);
    }

    #[test]
    fn parts_of_eight_mib_unless_the_largest_file_needs_more() {
        assert_eq!(part_size(1 << 30), 8 << 20);
        assert_eq!(part_size(8 << 30), 8 << 20);
        // 200 GiB in 10,000 parts: 21 MiB each (20.48 rounded up).
        assert_eq!(part_size(200 << 30), 21 << 20);
    }
}
