//! A batch read line by line: each line's content is hashed as it comes, and once every
//! line was read, each line's key (which counts the identical lines before it) and the
//! batch's id are worked out, in memory that does not grow with the lines. What is kept
//! per line (its content's digest, 32 bytes, and a record of 40 to count the identical
//! ones) goes to temporary files past a few megabytes.

use std::iter::Peekable;
use std::path::{Path, PathBuf};

use crate::batch::{BatchHash, again_key, content_digest, line_key};
use crate::error::{Error, Result};
use crate::job::NewJob;
use crate::spool::{Records, Sealed, Sorter, Spool};

/// The lines of a batch as they are read, for their [line keys](crate::line_keys) and the
/// batch's [id](crate::batch_id), which [`Runner::run_batch_lines`](crate::Runner::run_batch_lines)
/// records and runs. Their outputs count by their paths inside the folder the batch is run
/// into (see [`line_keys`](crate::line_keys)). Whatever the number of lines, it holds a few
/// megabytes; the rest is in temporary files (in `TMPDIR`), removed when it is dropped.
///
/// ```
/// # fn main() -> videohub_journal::Result<()> {
/// use videohub_journal::{BatchLines, NewJob, batch_id, line_keys};
///
/// let veo = videohub::models::find("veo-3.1").unwrap();
/// let input = serde_json::json!({"prompt": "a red fox"}).as_object().unwrap().clone();
/// let jobs = vec![NewJob::new("https://hub.example", veo, input, "fox.mp4"); 2];
/// let folder = std::path::Path::new("");
/// let mut lines = BatchLines::new(folder);
/// for job in &jobs {
///     lines.push(job)?;
/// }
/// let keys = lines.finish()?;
/// assert_eq!(keys.len(), 2);
/// assert_eq!(keys.id(), batch_id(&line_keys(&jobs, folder)));
/// # Ok(()) }
/// ```
pub struct BatchLines {
    /// Each line's content digest, in order.
    digests: Spool<32>,
    /// Each line's content digest, then its place (big-endian), to be sorted.
    by_content: Sorter<40>,
    /// The folder the batch is run into.
    folder: PathBuf,
}

impl BatchLines {
    /// No lines yet, of a batch run into `folder`.
    pub fn new(folder: &Path) -> BatchLines {
        BatchLines {
            digests: Spool::new(),
            by_content: Sorter::new(),
            folder: folder.to_path_buf(),
        }
    }

    /// Adds the next line.
    pub fn push(&mut self, job: &NewJob) -> Result<()> {
        self.push_digest(LineDigest::of(job, &self.folder))
    }

    /// Adds the next line, hashed already (on another thread, say).
    pub fn push_digest(&mut self, digest: LineDigest) -> Result<()> {
        let mut record = [0; 40];
        record[..32].copy_from_slice(&digest.0);
        record[32..].copy_from_slice(&self.digests.len().to_be_bytes());
        self.digests.push(digest.0).map_err(scratch)?;
        self.by_content.push(record).map_err(scratch)
    }

    /// How many lines were added.
    pub fn len(&self) -> u64 {
        self.digests.len()
    }

    /// Whether no line was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines' keys and the batch's id.
    pub fn finish(self) -> Result<BatchKeys> {
        let digests = self.digests.seal().map_err(scratch)?;
        // Identical lines are next to each other once sorted, in the order of the file:
        // the second of them is the content's occurrence 2, and so on. Those after the
        // first are few in most batches; they are sorted back into the order of the file.
        let mut repeats = Sorter::<16>::new();
        let mut previous: Option<[u8; 32]> = None;
        let mut occurrence = 1u64;
        for record in self.by_content.finish().map_err(scratch)? {
            let record = record.map_err(scratch)?;
            let mut digest = [0; 32];
            digest.copy_from_slice(&record[..32]);
            if previous == Some(digest) {
                occurrence += 1;
                let mut repeat = [0; 16];
                repeat[..8].copy_from_slice(&record[32..]);
                repeat[8..].copy_from_slice(&occurrence.to_be_bytes());
                repeats.push(repeat).map_err(scratch)?;
            } else {
                previous = Some(digest);
                occurrence = 1;
            }
        }
        let mut spooled = Spool::new();
        for repeat in repeats.finish().map_err(scratch)? {
            spooled.push(repeat.map_err(scratch)?).map_err(scratch)?;
        }
        let mut keys = BatchKeys {
            digests,
            repeats: spooled.seal().map_err(scratch)?,
            again: None,
            id: String::new(),
        };
        keys.id = keys.hash()?;
        Ok(keys)
    }
}

/// The SHA-256 of what a batch line asks for and where its file goes (its hub, model,
/// endpoint, input and output path), of which its [line key](crate::line_keys) is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDigest([u8; 32]);

impl LineDigest {
    /// The digest of `job`'s line, in a batch run into `folder`.
    pub fn of(job: &NewJob, folder: &Path) -> LineDigest {
        LineDigest(content_digest(job, folder))
    }
}

/// The keys of a batch's lines, in order, and the batch's id: what [`BatchLines`] worked
/// out.
pub struct BatchKeys {
    digests: Sealed<32>,
    /// The place and occurrence of every line after the first with the same content, in
    /// the order of the lines.
    repeats: Sealed<16>,
    /// The run of [`again`](BatchKeys::again), when its lines are paid again.
    again: Option<String>,
    id: String,
}

impl BatchKeys {
    /// The batch's id (see [`batch_id`](crate::batch_id)).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How many lines it has.
    pub fn len(&self) -> u64 {
        self.digests.len()
    }

    /// Whether it has no line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same lines to be paid again on purpose: keys of their own for this run, so that
    /// every line is recorded as a new job (see
    /// [`Runner::run_batch_again`](crate::Runner::run_batch_again)).
    pub fn again(self) -> Result<BatchKeys> {
        let run = format!("{:x}{:08x}", crate::time::now_ms(), fastrand::u32(..));
        let mut keys = BatchKeys {
            again: Some(run),
            ..self
        };
        keys.id = keys.hash()?;
        Ok(keys)
    }

    /// Whether its lines are paid again ([`again`](BatchKeys::again)).
    pub(crate) fn is_again(&self) -> bool {
        self.again.is_some()
    }

    /// Each line's content digest and key, in order.
    pub(crate) fn keys(&self) -> Keys<'_> {
        Keys {
            digests: self.digests.records(),
            repeats: self.repeats.records().peekable(),
            place: 0,
            again: self.again.as_deref(),
        }
    }

    /// The batch's id, from its keys.
    fn hash(&self) -> Result<String> {
        let mut hash = BatchHash::new();
        for line in self.keys() {
            hash.add(&line?.key);
        }
        Ok(hash.id())
    }
}

/// A line's content digest and key, and how many identical lines came before it, itself
/// included.
pub(crate) struct LineKey {
    pub(crate) digest: [u8; 32],
    pub(crate) key: String,
    pub(crate) occurrence: u64,
}

/// The lines' keys, in order.
pub(crate) struct Keys<'a> {
    digests: Records<'a, 32>,
    repeats: Peekable<Records<'a, 16>>,
    place: u64,
    again: Option<&'a str>,
}

impl Iterator for Keys<'_> {
    type Item = Result<LineKey>;

    fn next(&mut self) -> Option<Self::Item> {
        let digest = match self.digests.next()? {
            Ok(digest) => digest,
            Err(error) => return Some(Err(scratch(error))),
        };
        let place = self.place.to_be_bytes();
        self.place += 1;
        let occurrence = match self
            .repeats
            .next_if(|r| !matches!(r, Ok(r) if r[..8] != place))
        {
            None => 1,
            Some(Err(error)) => return Some(Err(scratch(error))),
            Some(Ok(repeat)) => {
                let mut occurrence = [0; 8];
                occurrence.copy_from_slice(&repeat[8..]);
                u64::from_be_bytes(occurrence)
            }
        };
        let key = line_key(&digest, occurrence);
        let key = match self.again {
            Some(run) => again_key(&key, run),
            None => key,
        };
        Some(Ok(LineKey {
            digest,
            key,
            occurrence,
        }))
    }
}

/// The error of a temporary file.
pub(crate) fn scratch(source: std::io::Error) -> Error {
    Error::Scratch {
        dir: std::env::temp_dir(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::batch::{batch_id, line_keys};

    /// Line `i` of a list where every third line repeats line `i - 3`'s content.
    fn job(i: u64) -> NewJob {
        let shot = if i % 3 == 2 { i - 2 } else { i };
        NewJob {
            hub: "https://hub.example".into(),
            model: "veo-3.1".into(),
            endpoint: "/hub/v1/video".into(),
            input: json!({"prompt": format!("shot {}", shot % 1_000)})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            output_path: format!("out/{}.mp4", shot % 997).into(),
        }
    }

    fn counted(jobs: &[NewJob]) -> BatchKeys {
        let mut lines = BatchLines::new(Path::new("out"));
        for job in jobs {
            lines.push(job).unwrap();
        }
        lines.finish().unwrap()
    }

    #[test]
    fn keys_counted_line_by_line_are_those_of_the_whole_list() {
        // Past 64 KiB (in tests) of 40-byte records to sort (1,638 lines), of 32-byte
        // digests (2,048 lines) and of 16-byte repeats (4,096 of them, a third of the
        // lines), the counting goes through files.
        for n in [0, 1, 7, 1_000, 13_000] {
            let jobs: Vec<NewJob> = (0..n).map(job).collect();
            let expected = line_keys(&jobs, Path::new("out"));
            let keys = counted(&jobs);
            assert_eq!(keys.len(), n);
            let in_files = n > 12_288;
            assert_eq!(keys.digests.in_file(), in_files, "{n} lines");
            assert_eq!(keys.repeats.in_file(), in_files, "{n} lines");
            let streamed: Vec<String> = keys.keys().map(|k| k.unwrap().key).collect();
            assert!(streamed == expected, "{n} lines");
            assert_eq!(keys.id(), batch_id(&expected), "{n} lines");
            // Read twice: the same.
            assert_eq!(keys.keys().count() as u64, n);
            assert_eq!(keys.hash().unwrap(), keys.id());
        }
    }

    #[test]
    fn lines_paid_again_have_keys_and_an_id_of_their_own_run() {
        let jobs: Vec<NewJob> = (0..20).map(job).collect();
        let keys = counted(&jobs);
        let plain: Vec<String> = keys.keys().map(|k| k.unwrap().key).collect();
        let again = keys.again().unwrap();
        let paid: Vec<String> = again.keys().map(|k| k.unwrap().key).collect();
        assert!(paid.iter().all(|k| !plain.contains(k)));
        assert_eq!(again.id(), batch_id(&paid));
        assert_ne!(counted(&jobs).again().unwrap().id(), again.id());
    }
}
