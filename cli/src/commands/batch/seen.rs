//! A batch file known by its bytes: a run remembers in the journal which batch a file (with
//! the options that give its lines their keys) makes, so that `batch status` of that file
//! hashes it and counts, instead of reading and checking every line again (a million lines
//! take seconds to check, and a fraction of one to hash).

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use videohub_journal::{BatchFileSeen, Journal};

use super::file::{BatchFile, BatchFileArgs};
use crate::output::Failure;

/// Names what the digest covers, so that a change of what makes a line's key can retire
/// every digest taken before it.
const WHAT: &str = "videohub batch file 1";

/// A SHA-256 of the file's bytes and of what else gives its lines their keys and verdicts:
/// the CSV's model, the folder `out` (`--out`, absolute) and the `--name` template. The
/// same digest, the same batch.
pub(crate) fn digest(
    file: &BatchFile,
    args: &BatchFileArgs,
    out: &Path,
) -> Result<String, Failure> {
    let mut hasher = Sha256::new();
    let out = out.to_string_lossy();
    for part in [WHAT, file.csv_model().unwrap_or(""), &out, &args.name] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let mut bytes = file.bytes()?;
    let mut buffer = vec![0; 1 << 16];
    loop {
        let read = bytes
            .read(&mut buffer)
            .map_err(|e| Failure::usage(format!("cannot read the batch: {e}")))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Remembers that the file of `digest` makes the batch `seen`. A journal that cannot take
/// it costs only speed (`batch status` reads the file again), so it is noted, not fatal.
pub(crate) async fn remember(journal: &Journal, digest: &str, seen: &BatchFileSeen) {
    if let Err(error) = journal.remember_batch_file(digest, seen).await {
        eprintln!("note: {error}; `batch status` of this file will check its lines again");
    }
}
