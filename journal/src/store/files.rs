//! Paths as the journal stores them, and the files it removes.

use std::path::Path;

/// A path as stored: its text (a path that is not UTF-8 loses what is not).
pub(super) fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Removes a file, saying why when it cannot (a missing one is fine).
pub(crate) fn remove_file(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            tracing::warn!(file = %path.display(), %error, "cannot remove the part file");
        }
    }
}
