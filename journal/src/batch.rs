//! Batches: many jobs recorded at once, identified by their content, and run by as many
//! workers as asked, in this process and in others sharing the journal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::batch_lines::{BatchKeys, BatchLines};
use crate::error::Result;
use crate::job::{Job, NewJob};
use crate::request::canonical_input;
use crate::run::Runner;

/// How long a worker with nothing to claim waits before looking again, while jobs of the
/// batch are held by other workers.
const IDLE: Duration = Duration::from_millis(500);

/// The line key of each job: a SHA-256 of its hub, model, endpoint, input and output, and of
/// how many identical jobs came before it in the list. Running the same list again finds
/// the same keys, so nothing is recorded (or paid for) twice; a list with one line added
/// keeps the keys of the others. A list too long to hold is counted line by line with
/// [`BatchLines`](crate::BatchLines), to the same keys.
pub fn line_keys(jobs: &[NewJob]) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
    jobs.iter()
        .map(|job| {
            let content = content_digest(job);
            let occurrence = seen.entry(content).or_insert(0);
            *occurrence += 1;
            line_key(&content, *occurrence)
        })
        .collect()
}

/// The SHA-256 of what a line asks for and where its file goes: its hub, model, endpoint,
/// input (keys sorted) and output path.
pub(crate) fn content_digest(job: &NewJob) -> [u8; 32] {
    Sha256::new()
        .chain_update(job.hub.as_bytes())
        .chain_update([0])
        .chain_update(job.model.as_bytes())
        .chain_update([0])
        .chain_update(job.endpoint.as_bytes())
        .chain_update([0])
        .chain_update(canonical_input(&job.input).as_bytes())
        .chain_update([0])
        .chain_update(job.output_path.to_string_lossy().as_bytes())
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
    /// Records `jobs` as the batch `name` (a job already recorded by an earlier run of the
    /// same list is found by its [line key](line_keys), not recorded again) and runs every
    /// unfinished one with `concurrency` workers. The stream yields each job of the list
    /// once it is final: the ones finished by earlier runs first, then the others as they
    /// finish, and an error for a job that stopped short (it stays unfinished for a later
    /// run). It ends when every job of the list is final or has stopped short here.
    ///
    /// Other processes may run the same list on the same journal at the same time (on
    /// Postgres, on several machines): each job is driven by one of them.
    ///
    /// ```no_run
    /// # async fn run(runner: videohub_journal::Runner, jobs: Vec<videohub_journal::NewJob>) -> videohub_journal::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let mut finished = std::pin::pin!(runner.run_batch("nightly", jobs, 8).await?);
    /// while let Some(job) = finished.next().await {
    ///     match job {
    ///         Ok(job) => println!("{} {} {:?}", job.id, job.state, job.file_path),
    ///         Err(error) => eprintln!("{error}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// A line whose hub, model and input were already downloaded by a job of this journal
    /// (under another output path, e.g. the same list run with another output folder) is
    /// not submitted again: it is recorded reusing that job's task, and its file is linked
    /// (or copied) from that job's file, or downloaded again when that file is gone or
    /// changed ([`Job::reused_from`] names the job). Identical lines reuse distinct tasks.
    ///
    /// A list too long to hold in memory is run with
    /// [`run_batch_lines`](Runner::run_batch_lines).
    pub async fn run_batch(
        &self,
        name: &str,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<BatchRun> {
        let keys = counted(&jobs)?;
        self.run_batch_lines(name, &keys, jobs.into_iter().map(Ok), concurrency)
            .await
    }

    /// [`run_batch`](Runner::run_batch), paying again on purpose: every line is recorded
    /// as a new job and submitted (a new billed task each), whatever earlier runs did. Its
    /// jobs are not found by later runs of the same list.
    pub async fn run_batch_again(
        &self,
        name: &str,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<BatchRun> {
        let keys = counted(&jobs)?.again()?;
        self.run_batch_lines(name, &keys, jobs.into_iter().map(Ok), concurrency)
            .await
    }

    /// [`run_batch`](Runner::run_batch) (or [`run_batch_again`](Runner::run_batch_again)
    /// when `keys` are [`BatchKeys::again`]) for a batch read as a stream, in memory that
    /// does not grow with its lines: `keys` were counted from its lines by
    /// [`BatchLines`](crate::BatchLines), and `lines` reads the same lines again, in the
    /// same order, to record them a few thousand at a time. A line read again that is not
    /// the one counted (the file changed in between), a line more or less, or a read that
    /// fails stops the recording with [`Error::BatchReread`](crate::Error::BatchReread)
    /// before anything is sent; the lines recorded before it wait, unsent, for the next
    /// run.
    ///
    /// Every folder the files go in is tried before the lines whose files go there are
    /// recorded, by creating and removing a file there as a download does: one that
    /// cannot take files stops the recording with
    /// [`Error::Destination`](crate::Error::Destination), nothing sent.
    pub async fn run_batch_lines<I>(
        &self,
        name: &str,
        keys: &BatchKeys,
        lines: I,
        concurrency: usize,
    ) -> Result<BatchRun>
    where
        I: IntoIterator<Item = std::io::Result<NewJob>>,
        I::IntoIter: Send,
    {
        self.record_lines(name, keys, lines.into_iter()).await?;
        self.start_batch(keys.id(), concurrency).await
    }

    /// Runs every unfinished job of the recorded batch `batch`: the finished ones are
    /// listed first, then the workers start.
    async fn start_batch(&self, batch: &str, concurrency: usize) -> Result<BatchRun> {
        self.journal().release_gone_owners().await?;
        let batch: Arc<str> = batch.into();
        let (sender, receiver) = mpsc::channel(concurrency.max(1) + AHEAD);
        let runner = self.clone();
        tokio::spawn(async move {
            let mut finished = std::pin::pin!(runner.journal().batch_finished_jobs(&batch));
            while let Some(job) = finished.next().await {
                let failed = job.is_err();
                if sender.send(job).await.is_err() || failed {
                    // The stream was dropped, or the journal cannot be read.
                    return;
                }
            }
            let stopped = Arc::new(Mutex::new(Vec::<String>::new()));
            for _ in 0..concurrency.max(1) {
                let (runner, batch, stopped, sender) = (
                    runner.clone(),
                    batch.clone(),
                    stopped.clone(),
                    sender.clone(),
                );
                tokio::spawn(async move {
                    let outcome = work(&runner, &batch, &stopped, &sender).await;
                    if let Err(error) = outcome {
                        let _ = sender.send(Err(error)).await;
                    }
                });
            }
        });
        Ok(BatchRun(receiver))
    }
}

/// The jobs of a batch being run, each once it is final (or an error for one that stopped
/// short): a [`Stream`], which ends when every job of the batch is final or has stopped
/// short here. Dropping it stops the workers after the jobs they drive.
pub struct BatchRun(mpsc::Receiver<Result<Job>>);

impl Stream for BatchRun {
    type Item = Result<Job>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Job>>> {
        self.0.poll_recv(cx)
    }
}

/// Finished jobs the stream of a batch holds at most, beyond one per worker, before their
/// reader takes them.
const AHEAD: usize = 64;

/// The keys of `jobs`, counted.
fn counted(jobs: &[NewJob]) -> Result<BatchKeys> {
    let mut lines = BatchLines::new();
    for job in jobs {
        lines.push(job)?;
    }
    lines.finish()
}

/// One worker: claims the next free job of the batch and drives it, until every job of the
/// batch is final, has stopped short here, or is driven by another worker of this process.
/// `stopped` holds the jobs this process drives or gave up on: its claims skip them.
async fn work(
    runner: &Runner,
    batch: &str,
    stopped: &Mutex<Vec<String>>,
    sender: &mpsc::Sender<Result<Job>>,
) -> Result<()> {
    let journal = runner.journal();
    loop {
        let skip = stopped.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match journal.claim_next(batch, &skip, runner.owner()).await? {
            Some(job) => {
                // Skipped by this process's claims from now: the job is released when
                // `drive` returns, and one that stopped short must not be claimed again
                // before it is known to have.
                let id = job.id.clone();
                stopped
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(id.clone());
                let outcome = runner.drive(job, |_| {}).await;
                if outcome.is_ok() {
                    stopped
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .retain(|held| *held != id);
                }
                if sender.send(outcome).await.is_err() {
                    return Ok(());
                }
            }
            None => {
                // Jobs held by other processes may come free: their process may die.
                journal.release_gone_owners().await?;
                let skip = stopped.lock().unwrap_or_else(|p| p.into_inner()).clone();
                if !journal
                    .batch_has_open_jobs(batch, &skip, runner.owner())
                    .await?
                {
                    return Ok(());
                }
                tokio::time::sleep(IDLE).await;
            }
        }
    }
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
        let keys = line_keys(&[
            job(json!({"prompt": "a fox", "duration": "8s", "x": {"b": 1, "a": 2}})),
            job(json!({"x": {"a": 2, "b": 1}, "duration": "8s", "prompt": "a fox"})),
        ]);
        let twin = line_keys(&[job(
            json!({"prompt": "a fox", "duration": "8s", "x": {"b": 1, "a": 2}}),
        )]);
        // The second line is the first one's twin, whatever the order of its fields.
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys[0], twin[0]);
        let single = line_keys(&[job(
            json!({"x": {"a": 2, "b": 1}, "duration": "8s", "prompt": "a fox"}),
        )]);
        assert_eq!(single[0], twin[0]);
    }

    #[test]
    fn line_keys_do_not_change_between_releases() {
        // A changed key makes a batch run again record, and pay for, every line anew.
        let keys = line_keys(&[
            line("out/{model}-1-{task_id}.{ext}"),
            line("out/{model}-1-{task_id}.mp4"),
        ]);
        assert_eq!(
            keys[0],
            "66bf011328b880860d37e15b0dc59a0cbf310ac77513065344c9e110fa0c2b90"
        );
        assert_ne!(keys[0], keys[1], "the second is the first line's twin");
        assert_eq!(
            line_keys(&[line("out/{model}-1-{task_id}.mp4")])[0],
            keys[0]
        );
    }

    #[test]
    fn a_batch_is_its_list_of_keys_in_order() {
        let keys = line_keys(&[line("a.mp4"), line("b.mp4")]);
        let reversed: Vec<String> = keys.iter().rev().cloned().collect();
        assert_eq!(batch_id(&keys), batch_id(&keys.clone()));
        assert_ne!(batch_id(&keys), batch_id(&reversed));
        assert_ne!(batch_id(&keys), batch_id(&keys[..1]));
    }
}
