//! Saving a video: streamed to a temporary file beside the target, renamed into place when
//! whole. The download host never sees the API key.

use std::path::Path;

use reqwest::Url;
use tokio::io::AsyncWriteExt;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::output::Video;

impl Video {
    /// Downloads the video to `path` and returns the number of bytes written.
    ///
    /// The body is streamed (never held in memory) into a hidden temporary file in the same
    /// directory, which is renamed to `path` only once complete: a failed or interrupted
    /// download leaves no file under `path` (an existing file there is kept until the
    /// rename replaces it). The size is checked against `file_size` when the hub states one
    /// (and against `Content-Length`). The request carries no `Authorization` header, and
    /// plain `http://` is accepted only for loopback hosts unless the client allows insecure
    /// HTTP.
    pub async fn save(&self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let url = Url::parse(self.url()).map_err(|e| Error::Decode {
            message: format!("the video URL is not valid: {e}"),
            excerpt: self.url().chars().take(200).collect(),
        })?;
        let span = tracing::info_span!("videohub.download", host = url.host_str().unwrap_or(""), path = %path.display());
        self.save_from(url, path).instrument(span).await
    }

    async fn save_from(&self, url: Url, path: &Path) -> Result<u64> {
        let io = |action: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let name = path
            .file_name()
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
            })
            .map_err(io("save to", path))?;
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(io("create a temporary file in", dir))?;
        let (file, temp_path) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(file);

        let mut response = self.client.download_get(url).await?;
        let expected = self.file_size().or(response.content_length());
        let idle = self.client.inner.download_idle_timeout;
        let mut received: u64 = 0;
        loop {
            let chunk = match tokio::time::timeout(idle, response.chunk()).await {
                Err(_) => {
                    return Err(Error::Timeout {
                        what: format!("download received nothing for {idle:?}"),
                    });
                }
                Ok(Err(e)) => return Err(Error::Transport(e.without_url())),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            received += chunk.len() as u64;
            if let Some(expected) = expected.filter(|e| received > *e) {
                return Err(Error::DownloadIncomplete { expected, received });
            }
            file.write_all(&chunk)
                .await
                .map_err(io("write", &temp_path))?;
        }
        if let Some(expected) = expected.filter(|e| received != *e) {
            return Err(Error::DownloadIncomplete { expected, received });
        }
        file.flush().await.map_err(io("write", &temp_path))?;
        file.sync_all().await.map_err(io("write", &temp_path))?;
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&temp_path, std::fs::Permissions::from_mode(0o644))
                .map_err(io("set permissions of", &temp_path))?;
        }
        temp_path.persist(path).map_err(|e| Error::Io {
            action: "move the download to",
            path: path.to_path_buf(),
            source: e.error,
        })?;
        tracing::info!(bytes = received, "video saved");
        Ok(received)
    }
}
