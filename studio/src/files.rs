//! Which files the studio serves: a job's file only when it is where the journal says the
//! job wrote it, as it was written.

use std::path::{Path, PathBuf};

use videohub_journal::Job;

/// The file of `job` to serve, resolved: a regular file (a symbolic link is followed to
/// one) inside one of the folders the job was recorded to write to (the folder of its
/// output path, or the studio's own output folder), of the size recorded when it was
/// downloaded. Anything else (a row edited to name `/etc/passwd`, a file replaced since)
/// is refused, with the reason.
pub(crate) fn servable(job: &Job, output_dir: &Path) -> Result<PathBuf, String> {
    let path = job
        .file_path
        .as_deref()
        .ok_or_else(|| format!("job {} has no file yet", job.id))?;
    let refused = |why: &str| format!("the file of job {} is not served: {why}", job.id);
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let output = job.output_file();
    let roots = [output.parent(), Some(output_dir)];
    let inside = roots
        .into_iter()
        .flatten()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| real.starts_with(root));
    if !inside {
        return Err(refused("it is outside the folders the job wrote to"));
    }
    let metadata =
        std::fs::metadata(&real).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !metadata.is_file() {
        return Err(refused("it is not a regular file"));
    }
    if job.file_size != Some(metadata.len()) {
        return Err(refused(&format!(
            "it has {} bytes, {} were recorded when it was downloaded",
            metadata.len(),
            job.file_size
                .map_or_else(|| "none".to_owned(), |s| s.to_string())
        )));
    }
    Ok(real)
}
