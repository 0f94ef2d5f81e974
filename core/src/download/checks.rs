//! What a downloaded file must be before it is saved: within the client's size limit, of
//! its kind by its first bytes; and the error of a redirect that was not followed.

use reqwest::Url;
use reqwest::header::{HeaderMap, LOCATION};

use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::vocab::FileFormat;

impl OutputFile {
    /// The largest file the client saves.
    pub(crate) fn max_size(&self) -> u64 {
        self.hub.downloads().max_size
    }

    /// The error of this file past the limit.
    pub(crate) fn too_large(&self) -> Error {
        Error::DownloadTooLarge {
            url: self.url().to_owned(),
            limit: self.max_size(),
        }
    }

    /// Whether the file's first bytes are those of a file of its kind.
    pub(crate) fn check_head(&self, head: &[u8]) -> Result<()> {
        let media = self.media();
        if media.accepts(head) {
            return Ok(());
        }
        let found = match FileFormat::of(head) {
            Some(format) => format!("the signature of {format}"),
            None if head
                .iter()
                .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) =>
            {
                format!("the text {:?}", String::from_utf8_lossy(head))
            }
            None => format!("the bytes {head:02x?}"),
        };
        Err(Error::NotMedia {
            url: self.url().to_owned(),
            media,
            found,
        })
    }
}

/// The error of a redirect answer that was not followed.
pub(crate) fn unfollowed(url: &Url, headers: &HeaderMap) -> Error {
    let location = headers
        .get(LOCATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    let reason = match url.join(&location) {
        Ok(next) => crate::url_rules::check(&next, false)
            .err()
            .unwrap_or_else(|| "the redirect was not followed".to_owned()),
        Err(e) => format!("not a URL: {e}"),
    };
    Error::UrlRefused {
        url: location,
        reason: format!("a redirect led there: {reason}"),
    }
}
