//! Part files: the hidden file a download writes beside its target (`.NAME.XXXXXX.part`)
//! until the file is whole, and the check that a folder takes them before anything is paid
//! for.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::vocab::SIGNATURE_LEN;

/// Where a download's bytes wait until the file is whole, as asked.
pub(crate) enum Part<'a> {
    /// A new temporary file, removed when the download fails.
    Temporary,
    /// A part file the caller keeps across failures and processes.
    Kept {
        path: &'a Path,
        /// The validator of the answer its bytes came from, for `If-Range`.
        validator: Option<reqwest::header::HeaderValue>,
        on_validator: &'a mut (dyn FnMut(&str) + Send + 'a),
    },
}

/// The part file being written.
pub(crate) enum PartPath {
    /// Removed when dropped.
    Temporary(tempfile::TempPath),
    /// Left in place on failure.
    Kept(PathBuf),
}

impl AsRef<Path> for PartPath {
    fn as_ref(&self) -> &Path {
        match self {
            PartPath::Temporary(temp) => temp,
            PartPath::Kept(path) => path,
        }
    }
}

/// Opens a kept part file for writing at its end (creating it when missing); returns it,
/// the number of bytes it holds, and its first bytes (up to [`SIGNATURE_LEN`]).
pub(crate) async fn open_kept(
    part: &Path,
    if_range: bool,
) -> Result<(tokio::fs::File, u64, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let io = |action: &'static str| {
        move |source| Error::Io {
            action,
            path: part.to_path_buf(),
            source,
        }
    };
    let mut file = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(part)
        .await
        .map_err(io("open the part file"))?;
    // The first bytes the part holds tell its format, as the first bytes of a new download do.
    let mut head = Vec::with_capacity(SIGNATURE_LEN);
    (&mut file)
        .take(SIGNATURE_LEN as u64)
        .read_to_end(&mut head)
        .await
        .map_err(io("read"))?;
    let held = file
        .seek(std::io::SeekFrom::End(0))
        .await
        .map_err(io("read"))?;
    if held > 0 {
        tracing::info!(
            held,
            if_range,
            "continuing the part file of an earlier download"
        );
    }
    Ok((file, held, head))
}

/// A new, empty part file for a download to `path`: `.NAME.XXXXXX.part` in the same folder
/// (the current one for a bare file name), removed when the returned handle is dropped
/// unless kept.
pub(crate) fn new_part(path: &Path) -> Result<tempfile::NamedTempFile> {
    let name = path.file_name().ok_or_else(|| Error::Io {
        action: "cannot save to",
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file"),
    })?;
    let dir = folder_of(path);
    tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|source| Error::Io {
            action: "cannot write a file in",
            path: dir.to_path_buf(),
            source,
        })
}

/// The folder a file at `path` goes in: its parent, or `.` for a bare file name.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Creates the part file a download to `path` writes into, and keeps it: the caller owns
/// it from then on (continues it with
/// [`OutputFile::save_continuing`](crate::OutputFile::save_continuing), or removes it).
/// Fails with [`Error::Io`] naming the folder when a file cannot be created there.
pub fn create_part_file(path: impl AsRef<Path>) -> Result<PathBuf> {
    let part = new_part(path.as_ref())?;
    let (_, kept) = part.keep().map_err(|e| Error::Io {
        action: "cannot keep the part file",
        path: e.file.path().to_path_buf(),
        source: e.error,
    })?;
    Ok(kept)
}

/// Proves, before anything is paid for, that a download to `path` can be written: creates
/// and removes a part file in its folder, with the name the download would use. Fails with
/// [`Error::Io`] naming the folder when it is missing, read-only, full of inodes or not
/// the user's; writes nothing that stays.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// videohub_core::__private::check_destination(dir.path().join("fox.mp4")).unwrap();
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
/// let missing = dir.path().join("missing").join("fox.mp4");
/// let error = videohub_core::__private::check_destination(&missing).unwrap_err();
/// assert!(error.to_string().contains("missing"), "{error}");
/// ```
pub fn check_destination(path: impl AsRef<Path>) -> Result<()> {
    let part = new_part(path.as_ref())?;
    let at = part.path().to_path_buf();
    part.close().map_err(|source| Error::Io {
        action: "cannot remove the trial file",
        path: at,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_are_hidden_beside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let part = create_part_file(dir.path().join("fox.mp4")).unwrap();
        let name = part.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".fox.mp4.") && name.ends_with(".part"),
            "{name}"
        );
        assert_eq!(part.parent(), Some(dir.path()));
        assert!(part.exists(), "kept for its owner");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_takes_no_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        // A file is no folder: nothing can be created "in" it, whoever runs the test.
        let error = check_destination(file.join("fox.mp4")).unwrap_err();
        assert!(
            matches!(&error, Error::Io { path, .. } if path == &file),
            "{error}"
        );
    }
}
