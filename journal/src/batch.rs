//! Batches: many jobs recorded at once, identified by their content, and run by as many
//! workers as asked, in this process and in others sharing the journal.
//!
//! A batch is its lines, whatever folder it is run into: workers sharing a journal, each
//! with its own `--out`, share one batch and pay once per line. Each puts the files of the
//! jobs it drives in its own folder, and once every line is final, links (or copies, or
//! downloads again from the same task) the others' files there too (`copies`). The workers
//! of this process claim and drive the jobs (`work`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::batch_lines::{BatchKeys, BatchLines};
use crate::error::{Error, Result};
use crate::job::{Job, NewJob};
use crate::request::canonical_input;
use crate::run::Runner;
use crate::state::JobState;

mod copies;
mod work;

use work::Shared;

/// How one line of a batch ended in a run, as [`Runner::run_batch`] yields it.
#[derive(Debug)]
#[non_exhaustive]
pub enum LineEnd {
    /// Its job is final: driven here, or by an earlier run (its file, when downloaded, in
    /// this run's folder).
    Final(Job),
    /// Its job was downloaded into another folder (by another worker, or a run into
    /// another folder): no submit was sent here, and its file was linked, copied or
    /// downloaded again from the same task to `file`, in this run's folder.
    Copied {
        /// The job, as the worker that downloaded it recorded it.
        job: Job,
        /// The file in this run's folder.
        file: PathBuf,
    },
    /// It stopped short of a final state here, and stays unfinished for a later run (or
    /// was let go when the run was stopped: [`Error::LetGo`]).
    Stopped(Error),
}

/// The line key of each job: a SHA-256 of its hub, model, endpoint, input and output, and of
/// how many identical jobs came before it in the list. The output counts by its path inside
/// `folder`, the folder the batch is run into (by its whole path when it is outside, or when
/// `folder` is empty), so that a list has the same keys whatever folder it is run into.
/// Running the same list again finds the same keys, so nothing is recorded (or paid for)
/// twice; a list with one line added keeps the keys of the others. A list too long to hold
/// is counted line by line with [`BatchLines`](crate::BatchLines), to the same keys.
pub fn line_keys(jobs: &[NewJob], folder: &Path) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
    jobs.iter()
        .map(|job| {
            let content = content_digest(job, folder);
            let occurrence = seen.entry(content).or_insert(0);
            *occurrence += 1;
            line_key(&content, *occurrence)
        })
        .collect()
}

/// The SHA-256 of what a line asks for and where its file goes: its hub, model, endpoint,
/// input (keys sorted) and output path inside `folder` (see [`line_keys`]).
pub(crate) fn content_digest(job: &NewJob, folder: &Path) -> [u8; 32] {
    let output = job
        .output_path
        .strip_prefix(folder)
        .unwrap_or(&job.output_path);
    Sha256::new()
        .chain_update(job.hub.as_bytes())
        .chain_update([0])
        .chain_update(job.model.as_bytes())
        .chain_update([0])
        .chain_update(job.endpoint.as_bytes())
        .chain_update([0])
        .chain_update(canonical_input(&job.input).as_bytes())
        .chain_update([0])
        .chain_update(output.to_string_lossy().as_bytes())
        .finalize()
        .into()
}

/// The key of the `occurrence`-th line (from 1) of a list with the content `content`.
pub(crate) fn line_key(content: &[u8; 32], occurrence: u64) -> String {
    let key = Sha256::new()
        .chain_update(content)
        .chain_update(occurrence.to_be_bytes())
        .finalize();
    let mut text = [0; 64];
    // 32 bytes are 64 hex digits.
    let _ = hex::encode_to_slice(key, &mut text);
    String::from_utf8(text.to_vec()).unwrap_or_default()
}

/// The key of line `key` paid again on purpose in the run `run`.
pub(crate) fn again_key(key: &str, run: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(key.as_bytes())
            .chain_update(b"\0again\0")
            .chain_update(run.as_bytes())
            .finalize(),
    )
}

/// The key a job asked for with a client's idempotency key `request_id` is recorded under
/// ([`Journal::record_keyed`](crate::Journal::record_keyed)): a SHA-256 of the hub and the
/// id, apart from every [line key](line_keys). The same request to the same hub finds the
/// same job, from any process.
pub fn request_key(hub: &str, request_id: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(b"request\0")
            .chain_update(hub.as_bytes())
            .chain_update([0])
            .chain_update(request_id.as_bytes())
            .finalize(),
    )
}

/// The id of the batch made of these line keys, in this order: a SHA-256 of them. Every
/// process running the same list on one journal finds the same batch.
pub fn batch_id(keys: &[String]) -> String {
    let mut hash = BatchHash::new();
    for key in keys {
        hash.add(key);
    }
    hash.id()
}

/// A batch's id, hashed as its keys come.
pub(crate) struct BatchHash(Sha256);

impl BatchHash {
    pub(crate) fn new() -> BatchHash {
        BatchHash(Sha256::new())
    }

    /// Adds the next line's key.
    pub(crate) fn add(&mut self, key: &str) {
        self.0.update(key.as_bytes());
        self.0.update([b'\n']);
    }

    /// The id of the batch of the keys added.
    pub(crate) fn id(self) -> String {
        hex::encode(self.0.finalize())
    }
}

impl Runner {
    /// Records `jobs`, whose files go in `folder`, as the batch `name` (a job already
    /// recorded by an earlier run of the same list, into this folder or another, by this
    /// process or another, is found by its [line key](line_keys), not recorded again) and
    /// runs every unfinished one with `concurrency` workers. The stream yields how each line
    /// of the list ended ([`LineEnd`]): the ones finished by earlier runs first, then the
    /// others as they finish, then those downloaded into other folders, once copied into
    /// `folder`. It ends when every job of the list is final (or has stopped short here),
    /// or when the runner's [`Stop`](crate::Stop) is asked for and every job driven here has
    /// ended or been let go.
    ///
    /// Other processes may run the same list on the same journal at the same time (on
    /// Postgres, on several machines), each into its own folder or a shared one: each job is
    /// driven by one of them, and paid for once.
    ///
    /// ```no_run
    /// # async fn run(runner: videohub_journal::Runner, jobs: Vec<videohub_journal::NewJob>) -> videohub_journal::Result<()> {
    /// use futures::StreamExt;
    /// use videohub_journal::LineEnd;
    ///
    /// let out = std::path::Path::new("/videos/nightly");
    /// let mut finished = std::pin::pin!(runner.run_batch("nightly", out, jobs, 8).await?);
    /// while let Some(line) = finished.next().await {
    ///     match line {
    ///         LineEnd::Final(job) => println!("{} {} {:?}", job.id, job.state, job.file_path),
    ///         LineEnd::Copied { job, file } => println!("{} copied to {}", job.id, file.display()),
    ///         LineEnd::Stopped(error) => eprintln!("{error}"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// A line whose hub, model and input were already downloaded by a job of this journal
    /// outside the list (under another file name, or by a single generation) is not
    /// submitted again: it is recorded reusing that job's task, and its file is linked (or
    /// copied) from that job's file, or downloaded again when that file is gone or changed
    /// ([`Job::reused_from`] names the job). Identical lines reuse distinct tasks.
    ///
    /// A list too long to hold in memory is run with
    /// [`run_batch_lines`](Runner::run_batch_lines).
    pub async fn run_batch(
        &self,
        name: &str,
        folder: &Path,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<BatchRun> {
        let keys = counted(&jobs, folder)?;
        self.run_batch_lines(name, folder, &keys, jobs.into_iter().map(Ok), concurrency)
            .await
    }

    /// [`run_batch`](Runner::run_batch), paying again on purpose: every line is recorded
    /// as a new job and submitted (a new billed task each), whatever earlier runs did. Its
    /// jobs are not found by later runs of the same list.
    pub async fn run_batch_again(
        &self,
        name: &str,
        folder: &Path,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<BatchRun> {
        let keys = counted(&jobs, folder)?.again()?;
        self.run_batch_lines(name, folder, &keys, jobs.into_iter().map(Ok), concurrency)
            .await
    }

    /// [`run_batch`](Runner::run_batch) (or [`run_batch_again`](Runner::run_batch_again)
    /// when `keys` are [`BatchKeys::again`]) for a batch read as a stream, in memory that
    /// does not grow with its lines: `keys` were counted from its lines by
    /// [`BatchLines`](crate::BatchLines) for `folder`, and `lines` reads the same lines
    /// again, in the same order, to record them a few thousand at a time. A line read again
    /// that is not the one counted (the file changed in between), a line more or less, or a
    /// read that fails stops the recording with
    /// [`Error::BatchReread`](crate::Error::BatchReread) before anything is sent; the lines
    /// recorded before it wait, unsent, for the next run.
    ///
    /// Every folder the files go in is tried before the lines whose files go there are
    /// recorded, by creating and removing a file there as a download does: one that
    /// cannot take files stops the recording with
    /// [`Error::Destination`](crate::Error::Destination), nothing sent.
    pub async fn run_batch_lines<I>(
        &self,
        name: &str,
        folder: &Path,
        keys: &BatchKeys,
        lines: I,
        concurrency: usize,
    ) -> Result<BatchRun>
    where
        I: IntoIterator<Item = std::io::Result<NewJob>>,
        I::IntoIter: Send,
    {
        self.record_lines(name, folder, keys, lines.into_iter())
            .await?;
        self.start_batch(keys.id(), folder, concurrency).await
    }

    /// Runs every unfinished job of the recorded batch `batch`, whose files go in `folder`:
    /// the finished ones are listed first (but those downloaded into another folder, which
    /// are copied here at the end), then the workers start.
    async fn start_batch(
        &self,
        batch: &str,
        folder: &Path,
        concurrency: usize,
    ) -> Result<BatchRun> {
        self.persist(|| self.journal().release_gone_owners())
            .await?;
        let (sender, receiver) = mpsc::channel(concurrency.max(1) + AHEAD);
        let shared = Arc::new(Shared::new(batch.to_owned(), folder.to_path_buf(), sender));
        let runner = self.clone();
        // The run's own span: each job's span links to it (see `JobTrace`), rather than
        // hanging a batch's every job under one trace.
        let run = tracing::info_span!(
            "videohub.batch",
            otel.name = "batch run",
            videohub.batch.id = %batch,
        );
        let in_run = run.clone();
        tokio::spawn(
            async move {
                let mut finished =
                    std::pin::pin!(runner.journal().batch_finished_jobs(&shared.batch));
                while let Some(job) = finished.next().await {
                    let end = match job {
                        // A file downloaded into another folder is copied here once the batch
                        // is done.
                        Ok(job) if downloaded_elsewhere(&job, &shared.folder) => continue,
                        Ok(job) => LineEnd::Final(job),
                        Err(error) => LineEnd::Stopped(error),
                    };
                    let failed = matches!(end, LineEnd::Stopped(_));
                    if !shared.send(end).await || failed {
                        // The stream was dropped, or the journal cannot be read.
                        return;
                    }
                }
                let mut workers = tokio::task::JoinSet::new();
                for _ in 0..concurrency.max(1) {
                    let (runner, shared) = (runner.clone(), shared.clone());
                    workers.spawn(
                        async move { work::work(&runner, &shared).await }
                            .instrument(in_run.clone()),
                    );
                }
                while workers.join_next().await.is_some() {}
                if !runner.stop().is_requested() {
                    copies::copy_in(&runner, &shared).await;
                }
            }
            .instrument(run),
        );
        Ok(BatchRun(receiver))
    }
}

/// Whether `job` was downloaded into another folder than `folder`: a job of a batch whose
/// file a run into `folder` copies there.
fn downloaded_elsewhere(job: &Job, folder: &Path) -> bool {
    job.state == JobState::Downloaded
        && job.output_name.is_some()
        && job
            .file_path
            .as_ref()
            .is_some_and(|f| !f.starts_with(folder))
}

/// How the lines of a batch being run ended, each once it is final (or stopped short, or
/// copied): a [`Stream`] of [`LineEnd`], which ends when every line of the batch is final
/// or has stopped short here. Dropping it stops the workers after the jobs they drive.
pub struct BatchRun(mpsc::Receiver<LineEnd>);

impl Stream for BatchRun {
    type Item = LineEnd;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<LineEnd>> {
        self.0.poll_recv(cx)
    }
}

/// Lines the stream of a batch holds at most, beyond one per worker, before their reader
/// takes them.
const AHEAD: usize = 64;

/// The keys of `jobs`, whose files go in `folder`, counted.
fn counted(jobs: &[NewJob], folder: &Path) -> Result<BatchKeys> {
    let mut lines = BatchLines::new(folder);
    for job in jobs {
        lines.push(job)?;
    }
    lines.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A batch line as the command line makes it, with its default file name.
    fn line(output: &str) -> NewJob {
        let veo = videohub::models::find("veo-3.1").expect("compiled in");
        let input = json!({"prompt": "a fox"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        NewJob::new("https://hub.example", veo, input, output)
    }

    #[test]
    fn the_order_of_a_lines_fields_does_not_change_its_key() {
        let veo = videohub::models::find("veo-3.1").expect("compiled in");
        let job = |input: serde_json::Value| {
            let input = input.as_object().cloned().unwrap_or_default();
            NewJob::new("https://hub.example", veo, input, "out.mp4")
        };
        let keys = line_keys(
            &[
                job(json!({"prompt": "a fox", "duration": "8s", "x": {"b": 1, "a": 2}})),
                job(json!({"x": {"a": 2, "b": 1}, "duration": "8s", "prompt": "a fox"})),
            ],
            Path::new(""),
        );
        let twin = line_keys(
            &[job(
                json!({"prompt": "a fox", "duration": "8s", "x": {"b": 1, "a": 2}}),
            )],
            Path::new(""),
        );
        // The second line is the first one's twin, whatever the order of its fields.
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys[0], twin[0]);
        let single = line_keys(
            &[job(
                json!({"x": {"a": 2, "b": 1}, "duration": "8s", "prompt": "a fox"}),
            )],
            Path::new(""),
        );
        assert_eq!(single[0], twin[0]);
    }

    #[test]
    fn line_keys_do_not_change_between_releases() {
        // A changed key makes a batch run again record, and pay for, every line anew (a
        // list recorded by an earlier release under the whole path's key is adopted).
        let keys = line_keys(
            &[
                line("out/{model}-1-{task_id}.{ext}"),
                line("out/{model}-1-{task_id}.mp4"),
            ],
            Path::new(""),
        );
        assert_eq!(
            keys[0],
            "66bf011328b880860d37e15b0dc59a0cbf310ac77513065344c9e110fa0c2b90"
        );
        assert_ne!(keys[0], keys[1], "the second is the first line's twin");
        assert_eq!(
            line_keys(&[line("out/{model}-1-{task_id}.mp4")], Path::new(""))[0],
            keys[0]
        );
    }

    #[test]
    fn a_lines_key_is_the_same_whatever_folder_it_is_run_into() {
        let into = |folder: &str| {
            line_keys(
                &[line(&format!("{folder}/{{model}}-1-{{task_id}}.mp4"))],
                Path::new(folder),
            )
        };
        assert_eq!(into("/videos/a"), into("/mnt/worker-2/out"));
        assert_eq!(
            into("/videos/a")[0],
            line_keys(&[line("{model}-1-{task_id}.mp4")], Path::new(""))[0]
        );
        // An output outside the folder counts by its whole path.
        let outside = line_keys(&[line("/elsewhere/x.mp4")], Path::new("/videos/a"));
        assert_eq!(
            outside,
            line_keys(&[line("/elsewhere/x.mp4")], Path::new("/videos/b"))
        );
        assert_ne!(outside, into("/videos/a"));
    }

    #[test]
    fn a_batch_is_its_list_of_keys_in_order() {
        let keys = line_keys(&[line("a.mp4"), line("b.mp4")], Path::new(""));
        let reversed: Vec<String> = keys.iter().rev().cloned().collect();
        assert_eq!(batch_id(&keys), batch_id(&keys.clone()));
        assert_ne!(batch_id(&keys), batch_id(&reversed));
        assert_ne!(batch_id(&keys), batch_id(&keys[..1]));
    }
}
