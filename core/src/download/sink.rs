//! Where a download's bytes go: a part file on this machine, or (with the `object-store`
//! feature) the upload of an object. The tries of a download write to either alike.

use std::future::Future;
use std::io::SeekFrom;
use std::path::PathBuf;

use tokio::fs::File;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::transfer::io;
use crate::error::Error;

/// Takes a download's bytes in order, and can start over from the first.
pub(super) trait Sink: Send {
    /// Takes the next bytes.
    fn write(&mut self, bytes: &[u8]) -> impl Future<Output = Result<(), Error>> + Send;
    /// Forgets every byte taken.
    fn restart(&mut self) -> impl Future<Output = Result<(), Error>> + Send;
}

/// A part file, and its path (for errors).
pub(super) struct FileSink {
    pub(super) file: File,
    pub(super) path: PathBuf,
}

impl Sink for FileSink {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file
            .write_all(bytes)
            .await
            .map_err(io("write", &self.path))
    }

    async fn restart(&mut self) -> Result<(), Error> {
        let fail = io("write", &self.path);
        self.file.flush().await.map_err(&fail)?;
        self.file.set_len(0).await.map_err(&fail)?;
        self.file.seek(SeekFrom::Start(0)).await.map_err(&fail)?;
        Ok(())
    }
}

#[cfg(feature = "object-store")]
impl Sink for crate::objects::ObjectSink {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        crate::objects::ObjectSink::write(self, bytes).await
    }

    async fn restart(&mut self) -> Result<(), Error> {
        crate::objects::ObjectSink::restart(self).await;
        Ok(())
    }
}
