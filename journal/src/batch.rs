//! Batches: many jobs recorded at once, identified by their content, and run by as many
//! workers as asked, in this process and in others sharing the journal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::Stream;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::error::Result;
use crate::job::{Job, NewJob};
use crate::request::canonical;
use crate::run::Runner;

/// How long a worker with nothing to claim waits before looking again, while jobs of the
/// batch are held by other workers.
const IDLE: Duration = Duration::from_millis(500);

/// The line key of each job: a SHA-256 of its hub, model, endpoint, input and output, and of
/// how many identical jobs came before it in the list. Running the same list again finds
/// the same keys, so nothing is recorded (or paid for) twice; a list with one line added
/// keeps the keys of the others.
pub fn line_keys(jobs: &[NewJob]) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
    jobs.iter()
        .map(|job| {
            let content = Sha256::new()
                .chain_update(job.hub.as_bytes())
                .chain_update([0])
                .chain_update(job.model.as_bytes())
                .chain_update([0])
                .chain_update(job.endpoint.as_bytes())
                .chain_update([0])
                .chain_update(
                    canonical(&Value::Object(job.input.clone()))
                        .to_string()
                        .as_bytes(),
                )
                .chain_update([0])
                .chain_update(job.output_path.to_string_lossy().as_bytes())
                .finalize();
            let occurrence = seen.entry(content.into()).or_insert(0);
            *occurrence += 1;
            hex::encode(
                Sha256::new()
                    .chain_update(content)
                    .chain_update(occurrence.to_be_bytes())
                    .finalize(),
            )
        })
        .collect()
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
    let mut hash = Sha256::new();
    for key in keys {
        hash.update(key.as_bytes());
        hash.update([b'\n']);
    }
    hex::encode(hash.finalize())
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
    pub async fn run_batch(
        &self,
        name: &str,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<impl Stream<Item = Result<Job>> + Send + 'static> {
        let keys = line_keys(&jobs);
        self.check_destinations(&jobs)?;
        self.record_reuses(name, &jobs, &keys).await?;
        self.start_batch(name, jobs, keys, concurrency).await
    }

    /// [`run_batch`](Runner::run_batch), paying again on purpose: every line is recorded
    /// as a new job and submitted (a new billed task each), whatever earlier runs did. Its
    /// jobs are not found by later runs of the same list.
    pub async fn run_batch_again(
        &self,
        name: &str,
        jobs: Vec<NewJob>,
        concurrency: usize,
    ) -> Result<impl Stream<Item = Result<Job>> + Send + 'static> {
        self.check_destinations(&jobs)?;
        let run = format!("{:x}{:08x}", crate::time::now_ms(), fastrand::u32(..));
        let keys = line_keys(&jobs)
            .into_iter()
            .map(|key| {
                hex::encode(
                    Sha256::new()
                        .chain_update(key.as_bytes())
                        .chain_update(b"\0again\0")
                        .chain_update(run.as_bytes())
                        .finalize(),
                )
            })
            .collect();
        self.start_batch(name, jobs, keys, concurrency).await
    }

    /// Tries every folder the jobs' files go in before anything is recorded or sent.
    fn check_destinations(&self, jobs: &[NewJob]) -> Result<()> {
        let mut tried = std::collections::HashSet::new();
        for job in jobs {
            let folder = job.output_path.parent().unwrap_or(std::path::Path::new(""));
            if tried.insert(folder.to_path_buf()) {
                crate::run::check_destination(&job.output_path)?;
            }
        }
        Ok(())
    }

    /// Records the lines not yet in the journal whose model and input a downloaded job
    /// already paid for, each reusing a task no other line of the list reuses.
    async fn record_reuses(&self, name: &str, jobs: &[NewJob], keys: &[String]) -> Result<()> {
        let known = self.journal().known_lines(keys).await?;
        let known_keys: std::collections::HashSet<&str> =
            known.iter().map(|(key, _)| key.as_str()).collect();
        let mut used: std::collections::HashSet<String> =
            known.iter().filter_map(|(_, task)| task.clone()).collect();
        for (new, key) in jobs.iter().zip(keys) {
            if known_keys.contains(key.as_str()) {
                continue;
            }
            let twins = self.journal().paid_twins(new).await?;
            let free = twins
                .into_iter()
                .find(|paid| paid.task_id.as_ref().is_some_and(|t| !used.contains(t)));
            if let Some(paid) = free {
                used.extend(paid.task_id.clone());
                self.journal().record_reuse(name, new, key, &paid).await?;
            }
        }
        Ok(())
    }

    /// Records the lines under `keys` (those not recorded yet) and runs every unfinished
    /// one.
    async fn start_batch(
        &self,
        name: &str,
        jobs: Vec<NewJob>,
        keys: Vec<String>,
        concurrency: usize,
    ) -> Result<impl Stream<Item = Result<Job>> + Send + 'static> {
        let batch: Arc<str> = batch_id(&keys).into();
        self.journal()
            .record_batch(name, &batch, &jobs, &keys)
            .await?;
        drop((jobs, keys));
        self.journal().release_gone_owners().await?;
        let (sender, receiver) = mpsc::unbounded_channel();
        for job in self.journal().batch_finished_jobs(&batch).await? {
            let _ = sender.send(Ok(job));
        }
        let stopped = Arc::new(Mutex::new(Vec::<String>::new()));
        for _ in 0..concurrency.max(1) {
            let (runner, batch, stopped, sender) =
                (self.clone(), batch.clone(), stopped.clone(), sender.clone());
            tokio::spawn(async move {
                let outcome = work(&runner, &batch, &stopped, &sender).await;
                if let Err(error) = outcome {
                    let _ = sender.send(Err(error));
                }
            });
        }
        Ok(futures::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
        ))
    }
}

/// One worker: claims the next free job of the batch and drives it, until every job of the
/// batch is final, has stopped short here, or is driven by another worker of this process.
/// `stopped` holds the jobs this process drives or gave up on: its claims skip them.
async fn work(
    runner: &Runner,
    batch: &str,
    stopped: &Mutex<Vec<String>>,
    sender: &mpsc::UnboundedSender<Result<Job>>,
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
                if sender.send(outcome).is_err() {
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
