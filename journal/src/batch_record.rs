//! Recording a batch's lines, read a second time, a few thousand at a time: each checked
//! against the line counted the first time, reusing the task of an earlier download when
//! one paid for the same request, and recorded under its key.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::batch::{content_digest, line_key};
use crate::batch_lines::BatchKeys;
use crate::error::{Error, Result};
use crate::job::{Job, NewJob};
use crate::run::Runner;
use crate::store::LINES_PER_TRANSACTION;

impl Runner {
    /// Records the lines of `keys` (those not recorded yet) as the batch `name` run into
    /// `folder`, reading them from `lines`. The folders of a chunk's files are tried before
    /// it is recorded, the first chunk's before anything is. Lines an earlier videohub
    /// recorded under keys of their outputs' whole paths are found under those and take
    /// their keys of today.
    pub(crate) async fn record_lines(
        &self,
        name: &str,
        folder: &Path,
        keys: &BatchKeys,
        mut lines: impl Iterator<Item = std::io::Result<NewJob>> + Send,
    ) -> Result<()> {
        let journal = self.journal();
        let batch = keys.id();
        let mut counted = keys.keys();
        let mut place = 0u64;
        let mut chunk = Vec::with_capacity(LINES_PER_TRANSACTION);
        // The keys an earlier videohub gave these lines, while the journal holds lines of
        // its.
        let adopting = !keys.is_again()
            && !folder.as_os_str().is_empty()
            && journal.has_unnamed_lines().await?;
        let mut legacy = Vec::new();
        let mut folders = Folders::default();
        let mut first = true;
        loop {
            chunk.clear();
            legacy.clear();
            while chunk.len() < LINES_PER_TRANSACTION {
                let Some(job) = lines.next() else { break };
                let job = job.map_err(|e| reread(e.to_string()))?;
                place += 1;
                let key = match counted.next() {
                    Some(key) => key?,
                    None => return Err(reread(format!("more than the {place} lines checked"))),
                };
                if content_digest(&job, folder) != key.digest {
                    return Err(reread(format!(
                        "valid line #{place} is not the one checked"
                    )));
                }
                if adopting {
                    // Within one folder, lines with the same whole paths are those with the
                    // same names in it: the occurrence is the same.
                    legacy.push(line_key(
                        &content_digest(&job, Path::new("")),
                        key.occurrence,
                    ));
                }
                chunk.push((job, key.key));
            }
            for (job, _) in &chunk {
                folders.check(self, &job.output_path).await?;
            }
            if first {
                first = false;
                journal.record_batch_row(name, batch, keys.len()).await?;
                if !keys.is_again() {
                    // Lines already recorded (by an earlier run of this list or of another
                    // one) join the batch first, so that the tasks they hold count as used
                    // by it.
                    journal.adopt_lines(batch, keys.keys()).await?;
                }
            }
            if chunk.is_empty() {
                break;
            }
            if adopting {
                let lines: Vec<(&NewJob, &str, String)> = chunk
                    .iter()
                    .zip(legacy.drain(..))
                    .map(|((job, key), old)| (job, key.as_str(), old))
                    .collect();
                journal.adopt_legacy_lines(batch, folder, &lines).await?;
            }
            if !keys.is_again() {
                self.record_reuses(name, batch, folder, &chunk).await?;
            }
            let lines: Vec<(&NewJob, &str)> =
                chunk.iter().map(|(job, key)| (job, key.as_str())).collect();
            journal
                .record_batch_lines(name, batch, folder, &lines)
                .await?;
        }
        if place < keys.len() {
            return Err(reread(format!(
                "{place} valid lines, not the {} checked",
                keys.len()
            )));
        }
        Ok(())
    }

    /// Records the lines of `chunk` not yet in the journal whose request a downloaded job
    /// already paid for, each reusing a task that no line of the batch `batch` (run into
    /// `folder`) holds.
    async fn record_reuses(
        &self,
        name: &str,
        batch: &str,
        folder: &Path,
        chunk: &[(NewJob, String)],
    ) -> Result<()> {
        let journal = self.journal();
        let jobs: Vec<&NewJob> = chunk.iter().map(|(job, _)| job).collect();
        let twins = journal.paid_twins(&jobs).await?;
        if twins.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = chunk.iter().map(|(_, key)| key.as_str()).collect();
        let known = journal.known_lines(&keys).await?;
        let mut used: HashSet<String> = journal.batch_tasks(batch, &twins).await?;
        for (new, key) in chunk {
            if known.contains(key) {
                continue;
            }
            let free = twins.iter().find(|paid| {
                asks_the_same(paid, new) && paid.task_id.as_ref().is_some_and(|t| !used.contains(t))
            });
            if let Some(paid) = free {
                used.extend(paid.task_id.clone());
                journal
                    .record_reuse(name, batch, folder, new, key, paid)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The folders tried already, so that the lines of a folder try it once (or once in a
/// while, when there are many).
#[derive(Default)]
struct Folders(HashSet<PathBuf>);

impl Folders {
    /// Folders remembered at most.
    const REMEMBERED: usize = 1_024;

    /// Tries the folder (or the bucket's) of `path`, unless it was tried.
    async fn check(&mut self, runner: &Runner, path: &Path) -> Result<()> {
        let folder = path.parent().unwrap_or(Path::new(""));
        if self.0.contains(folder) {
            return Ok(());
        }
        runner.try_destination(path).await?;
        if self.0.len() == Self::REMEMBERED {
            self.0.clear();
        }
        self.0.insert(folder.to_path_buf());
        Ok(())
    }
}

/// Whether `paid` asked for what `new` asks for: the same hub, model, endpoint and input
/// (their digest found it; the columns themselves guard against a collision).
fn asks_the_same(paid: &Job, new: &NewJob) -> bool {
    (&paid.hub, &paid.model, &paid.endpoint, &paid.input)
        == (&new.hub, &new.model, &new.endpoint, &new.input)
}

/// The error of a batch whose lines read again are not those counted.
fn reread(reason: String) -> Error {
    Error::BatchReread {
        reason: format!("{reason}; the file changed meanwhile"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::batch::line_keys;
    use crate::batch_lines::BatchLines;
    use crate::store::Journal;

    // The lines of these tests count by their outputs' whole paths (no folder): a line into
    // another folder is another line, which may reuse a task.

    /// Line `i` of a batch into `dir`; lines 0 and 1 ask for the same.
    fn line(dir: &Path, i: usize) -> NewJob {
        let veo = videohub::models::find("veo-3.1").expect("compiled in");
        let input = json!({"prompt": format!("shot {}", i.max(1))});
        let input = input.as_object().cloned().unwrap_or_default();
        NewJob::new(
            "http://127.0.0.1:1",
            veo,
            input,
            dir.join("{model}-{task_id}.mp4"),
        )
    }

    async fn runner(dir: &Path) -> Runner {
        let journal = Journal::open(dir.join("j.sqlite3")).await.unwrap();
        let client = videohub::Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
        Runner::new(journal, client)
    }

    fn counted(jobs: &[NewJob]) -> BatchKeys {
        let mut lines = BatchLines::new(Path::new(""));
        for job in jobs {
            lines.push(job).unwrap();
        }
        lines.finish().unwrap()
    }

    async fn recorded_keys(runner: &Runner) -> Vec<String> {
        sqlx::query_scalar("SELECT line_key FROM jobs ORDER BY line_key")
            .fetch_all(runner.journal().pool())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_line_that_changed_before_it_is_recorded_stops_the_recording_and_a_run_again_ends_it()
    {
        let dir = tempfile::tempdir().unwrap();
        let runner = runner(dir.path()).await;
        let n = LINES_PER_TRANSACTION * 2 + 500;
        let jobs: Vec<NewJob> = (0..n).map(|i| line(dir.path(), i)).collect();
        let keys = counted(&jobs);
        // Read again, line 4,100 is another: the first two chunks are recorded, not the
        // third.
        let mut changed = jobs.clone();
        changed[4_100] = line(dir.path(), n + 1);
        let error = runner
            .record_lines("b", Path::new(""), &keys, changed.into_iter().map(Ok))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::BatchReread { reason } if reason.contains("#4101")),
            "{error}"
        );
        assert_eq!(
            runner
                .journal()
                .batch_counts(keys.id())
                .await
                .unwrap()
                .total(),
            LINES_PER_TRANSACTION * 2
        );
        // A line missing, one too many, or a read that fails: the same.
        for lines in [
            jobs[..n - 1].to_vec(),
            [jobs.clone(), vec![line(dir.path(), 0)]].concat(),
        ] {
            let error = runner
                .record_lines("b", Path::new(""), &keys, lines.into_iter().map(Ok))
                .await
                .unwrap_err();
            assert!(matches!(error, Error::BatchReread { .. }), "{error}");
        }
        let unreadable = std::iter::once(Err(std::io::Error::other("disk gone")));
        let error = runner
            .record_lines("b", Path::new(""), &keys, unreadable)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("disk gone"), "{error}");
        // Read as counted, every line is recorded once, under the keys of the whole list.
        runner
            .record_lines("b", Path::new(""), &keys, jobs.clone().into_iter().map(Ok))
            .await
            .unwrap();
        let counts = runner.journal().batch_counts(keys.id()).await.unwrap();
        assert_eq!(counts.total(), n);
        let mut expected = line_keys(&jobs, Path::new(""));
        expected.sort();
        assert!(recorded_keys(&runner).await == expected);
    }

    #[tokio::test]
    async fn a_folder_that_takes_no_file_stops_the_recording_before_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let runner = runner(dir.path()).await;
        let missing = dir.path().join("missing");
        let jobs: Vec<NewJob> = (0..3).map(|i| line(&missing, i)).collect();
        let keys = counted(&jobs);
        let error = runner
            .record_lines("b", Path::new(""), &keys, jobs.into_iter().map(Ok))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Destination { .. }), "{error}");
        assert!(recorded_keys(&runner).await.is_empty());
    }

    #[tokio::test]
    async fn a_task_held_by_a_line_of_the_batch_is_not_reused_by_another_wherever_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let runner = runner(dir.path()).await;
        let twin = |name: &str| {
            let mut job = line(dir.path(), 1);
            job.output_path = dir.path().join(name);
            job
        };
        // A first list: line 0 and line 2,500 ask for the same, into their own files; both
        // were paid for and downloaded.
        let mut jobs: Vec<NewJob> = (0..2_501).map(|i| line(dir.path(), i + 2)).collect();
        jobs[0] = twin("a.mp4");
        jobs[2_500] = twin("b.mp4");
        let keys = counted(&jobs);
        runner
            .record_lines("b", Path::new(""), &keys, jobs.clone().into_iter().map(Ok))
            .await
            .unwrap();
        for (file, task) in [("a.mp4", "t-a"), ("b.mp4", "t-b")] {
            sqlx::query(
                "UPDATE jobs SET state = 'downloaded', task_id = $1, result = '{}' \
                 WHERE output_path LIKE '%' || $2",
            )
            .bind(task)
            .bind(file)
            .execute(runner.journal().pool())
            .await
            .unwrap();
        }
        // The same list with a third take of that request first: both tasks are held by
        // lines of the list (one of them in a later chunk), so it pays for its own.
        let more = [vec![twin("c.mp4")], jobs].concat();
        let keys = counted(&more);
        runner
            .record_lines("b", Path::new(""), &keys, more.into_iter().map(Ok))
            .await
            .unwrap();
        let third: (String, Option<String>) =
            sqlx::query_as("SELECT state, reused_from FROM jobs WHERE output_path LIKE '%c.mp4'")
                .fetch_one(runner.journal().pool())
                .await
                .unwrap();
        assert_eq!(third, ("pending".to_owned(), None));
        // Into another folder, each take reuses a task of its own: two of three.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let moved: Vec<NewJob> = ["a.mp4", "b.mp4", "c.mp4"]
            .iter()
            .map(|name| {
                let mut job = twin(name);
                job.output_path = elsewhere.join(name);
                job
            })
            .collect();
        let keys = counted(&moved);
        runner
            .record_lines("b", Path::new(""), &keys, moved.into_iter().map(Ok))
            .await
            .unwrap();
        let reused: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT task_id FROM jobs WHERE output_path LIKE '%elsewhere%' ORDER BY output_path",
        )
        .fetch_all(runner.journal().pool())
        .await
        .unwrap();
        assert_eq!(reused, [Some("t-a".into()), Some("t-b".into()), None]);
    }
}
