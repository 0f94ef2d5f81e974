//! Task ids the journal could not record: the hub created a task and every try to write
//! its id failed (a lock held too long, a full disk). The id is appended to a small file of
//! JSON lines beside the journal (or in the user's state directory when that cannot be
//! written), from which the next process that takes the job over writes it back.

use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One task id kept outside the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeptTaskId {
    /// The journal's job.
    pub(crate) job_id: String,
    /// The hub's task.
    pub(crate) task_id: String,
    /// The model.
    pub(crate) model: String,
    /// The SHA-256 of the input sent, in hex.
    pub(crate) input_sha256: String,
    /// The hub's base URL.
    pub(crate) hub: String,
    /// The journal that could not record it.
    pub(crate) journal: String,
    /// When, in milliseconds since the epoch.
    pub(crate) at_ms: i64,
}

/// Where kept ids go, in order: beside the journal's file (`journal.sqlite3.task-ids`),
/// then `$XDG_STATE_HOME/videohub/task-ids.jsonl` (the platform's state or local data
/// directory elsewhere).
pub(crate) fn places(journal_file: Option<&Path>) -> Vec<PathBuf> {
    let mut places = Vec::new();
    if let Some(file) = journal_file {
        let mut name = file.file_name().unwrap_or_default().to_os_string();
        name.push(".task-ids");
        places.push(file.with_file_name(name));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(|dir| PathBuf::from(dir).join("videohub"))
        .or_else(|| {
            let dirs = directories::ProjectDirs::from("", "", "videohub")?;
            Some(
                dirs.state_dir()
                    .unwrap_or(dirs.data_local_dir())
                    .to_path_buf(),
            )
        });
    if let Some(dir) = state {
        places.push(dir.join("task-ids.jsonl"));
    }
    places
}

/// Appends `kept` to the first of `places` that takes it (synced to disk), and returns
/// that file; the error of the last place when none does.
pub(crate) fn append(places: &[PathBuf], kept: &KeptTaskId) -> std::io::Result<PathBuf> {
    let mut line = serde_json::to_string(kept).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut last = std::io::Error::other("no place to keep the task id");
    for place in places {
        let written = (|| {
            if let Some(dir) = place.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(place)?;
            // A line cut short (a full disk) is ended first, so that this one stays whole.
            if file.metadata()?.len() > 0 {
                let mut last = [0u8];
                file.seek(SeekFrom::End(-1))?;
                file.read_exact(&mut last)?;
                if last != *b"\n" {
                    file.write_all(b"\n")?;
                }
            }
            file.write_all(line.as_bytes())?;
            file.sync_all()
        })();
        match written {
            Ok(()) => return Ok(place.clone()),
            Err(error) => {
                tracing::warn!(file = %place.display(), %error, "cannot keep the task id here");
                last = error;
            }
        }
    }
    Err(last)
}

/// The id kept for job `job_id` in any of `places` (the last one written), with its file.
pub(crate) fn find(places: &[PathBuf], job_id: &str) -> Option<(KeptTaskId, PathBuf)> {
    let mut found = None;
    for place in places {
        let Ok(file) = std::fs::File::open(place) else {
            continue;
        };
        for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
            // A line cut by a full disk is skipped; the others are whole.
            if let Ok(kept) = serde_json::from_str::<KeptTaskId>(&line)
                && kept.job_id == job_id
            {
                found = Some((kept, place.clone()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(job: &str, task: &str) -> KeptTaskId {
        KeptTaskId {
            job_id: job.into(),
            task_id: task.into(),
            model: "veo-3.1".into(),
            input_sha256: "00".into(),
            hub: "http://127.0.0.1:1".into(),
            journal: "j.sqlite3".into(),
            at_ms: 1,
        }
    }

    #[test]
    fn ids_are_appended_and_found_again_past_an_unwritable_place() {
        let dir = tempfile::tempdir().unwrap();
        // A place whose folder is a file cannot be written: the next one takes the id.
        std::fs::write(dir.path().join("blocked"), b"x").unwrap();
        let places = vec![
            dir.path().join("blocked").join("task-ids"),
            dir.path().join("state").join("task-ids.jsonl"),
        ];
        assert_eq!(append(&places, &kept("j1", "t1")).unwrap(), places[1]);
        append(&places, &kept("j2", "t2")).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&places[1])
            .unwrap()
            .write_all(b"{\"job_id\": \"j1\", \"task")
            .unwrap();
        append(&places, &kept("j5", "t5")).unwrap();
        assert_eq!(
            find(&places, "j1"),
            Some((kept("j1", "t1"), places[1].clone()))
        );
        assert_eq!(find(&places, "j5").unwrap().0.task_id, "t5");
        assert_eq!(find(&places, "j2").unwrap().0.task_id, "t2");
        assert_eq!(find(&places, "j3"), None);
        assert!(append(&places[..1], &kept("j4", "t4")).is_err());
    }

    #[test]
    fn the_first_place_is_beside_the_journal() {
        let places = places(Some(Path::new("/data/journal.sqlite3")));
        assert_eq!(places[0], Path::new("/data/journal.sqlite3.task-ids"));
    }
}
