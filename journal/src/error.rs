//! What can go wrong with the journal or with a journaled job.

use std::path::PathBuf;

/// The result type of the journal.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A journal or job failure. Every storage error names the database file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file is not a SQLite database, or it is damaged.
    #[error(
        "the journal {journal} is not a readable SQLite database ({message}): move it aside and videohub starts a new one, or open another journal"
    )]
    Corrupt {
        /// The database file.
        journal: String,
        /// What SQLite said.
        message: String,
    },

    /// Another process held the database longer than the busy timeout.
    #[error(
        "the journal {journal} stayed locked by another process for more than {seconds} s; try again when it is done"
    )]
    Locked {
        /// The database file or server.
        journal: String,
        /// The busy timeout, in seconds.
        seconds: u64,
    },

    /// The journal's database server cannot be reached: it is down, restarting, or out of
    /// the network's reach. Whether the change being written was recorded is not known; a
    /// [`Runner`](crate::Runner) tries it again, with backoff, until the server is back.
    #[error("cannot reach the journal {journal}: {message}")]
    Unreachable {
        /// The server (a URL without its password).
        journal: String,
        /// Why: what the connection said.
        message: String,
    },

    /// The database was written by a newer videohub, whose schema this one does not know.
    #[error(
        "the journal {journal} was written by a newer videohub (schema version {found}, this one knows up to {known}); upgrade videohub or open another journal"
    )]
    NewerSchema {
        /// The database file or server.
        journal: String,
        /// The newest schema version the database has.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },

    /// The disk (or the database's size limit) is full; the change was not written.
    #[error(
        "the journal {journal} cannot grow: the disk is full; nothing of this change was written"
    )]
    DiskFull {
        /// The database file or server.
        journal: String,
    },

    /// The database or its directory cannot be created, opened or written.
    #[error("cannot use the journal {journal}: {message}")]
    Storage {
        /// The database file or server (a URL without its password).
        journal: String,
        /// What went wrong.
        message: String,
    },

    /// No job has this id (or this id prefix).
    #[error("no job `{id}` in the journal (`videohub jobs list` shows them)")]
    NoSuchJob {
        /// The id asked for.
        id: String,
    },

    /// An id prefix names several jobs.
    #[error("`{prefix}` names {count} jobs; give more of the id")]
    AmbiguousJob {
        /// The prefix.
        prefix: String,
        /// How many jobs it names.
        count: usize,
    },

    /// The job's state is not one this operation applies to, or it changed meanwhile (e.g.
    /// another process moved it on).
    #[error("job {id} is {state}: {reason}")]
    WrongState {
        /// The job id.
        id: String,
        /// Its state.
        state: String,
        /// Why that state does not fit.
        reason: String,
    },

    /// This process no longer holds the job: its lease ran out (an outage, a pause longer
    /// than the lease) and another process took the job over, or let it go. Nothing was
    /// written; this process stops driving the job, and the one holding it goes on.
    #[error(
        "job {id} was taken over by {}: this process stopped driving it",
        owner.as_deref().unwrap_or("another process, which let it go since")
    )]
    LeaseLost {
        /// The job id.
        id: String,
        /// The process holding it now, if any.
        owner: Option<String>,
    },

    /// The run was stopped (see [`Stop`](crate::Stop)): the job was let go as it stood, its
    /// state kept, for another worker or the next run to go on with.
    #[error(
        "job {id} was let go as {state} when the run was stopped; the next run or another worker goes on with it"
    )]
    LetGo {
        /// The job id.
        id: String,
        /// Its state, kept.
        state: crate::JobState,
    },

    /// Another live process is working on the job.
    #[error("job {id} is being worked on by {owner}; it is left to that process")]
    Busy {
        /// The job id.
        id: String,
        /// The owner: host, process id.
        owner: String,
    },

    /// The submit of the job may or may not have created a task: it is not resent without
    /// an explicit forced retry ([`Journal::retry`](crate::Journal::retry) with `force`).
    #[error(
        "job {id}: the submit may or may not have created a task ({reason}); it was not resent. \
         Check the hub first: a forced retry submits it again, and if the first submit did create a task, both are billed"
    )]
    OutcomeUnknown {
        /// The job id.
        id: String,
        /// What happened.
        reason: String,
    },

    /// A value stored for a job does not read as what it holds: an input or answer that
    /// is not JSON, an unknown state, a negative size or duration. The job is left as it
    /// is.
    #[error("job {id} has an unreadable {column} in the journal: {message}")]
    BadColumn {
        /// The job id.
        id: String,
        /// The column, e.g. `input` (`job_events.state` for one of its events).
        column: String,
        /// What is wrong.
        message: String,
    },

    /// A folder a job's file goes in cannot take files (missing, read-only, not the
    /// user's): checked before the submit, so nothing was sent.
    #[error("cannot save files in {dir}: {message}; nothing was sent")]
    Destination {
        /// The folder.
        dir: PathBuf,
        /// What the system said.
        message: String,
    },

    /// The hub created a task and the journal could not record its id, even after
    /// retrying for as long as the wait would have lasted. The id is kept in `file` (a
    /// small append-only file beside the journal, or in the user's state directory), from
    /// which the next process that takes the job over writes it back.
    #[error(
        "job {job}: the hub created task {task_id}, and it could not be recorded ({cause}); {}",
        match file {
            Some(file) => format!("the task id is kept in {}", file.display()),
            None => "no file could keep it either: note the task id".to_owned(),
        }
    )]
    TaskIdKept {
        /// The job id.
        job: String,
        /// The hub's task id.
        task_id: String,
        /// Where the id is kept, when it could be written.
        file: Option<PathBuf>,
        /// Why the journal could not record it (the error names the journal).
        cause: String,
    },

    /// The lines of a batch read a second time, to be recorded, are not those counted the
    /// first time (the file changed in between), or they could not be read. Nothing was
    /// sent.
    #[error(
        "the batch's lines cannot be read again as they were checked: {reason}; nothing was sent, run it again"
    )]
    BatchReread {
        /// What differs, or why the read failed.
        reason: String,
    },

    /// The temporary files a batch's lines are counted in cannot be written or read.
    #[error(
        "cannot use the temporary files of a large batch in {dir} (TMPDIR names another folder): {source}"
    )]
    Scratch {
        /// The system's folder of temporary files.
        dir: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },

    /// The hub or the download failed.
    #[error(transparent)]
    Hub(#[from] videohub::Error),

    /// The downloaded file could not be read back for its checksum.
    #[error("cannot read {path} back: {source}")]
    ReadBack {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the journal is out of reach for now (its server down or restarting, its file
    /// locked by another process past the busy timeout): the same call may succeed later.
    pub fn is_outage(&self) -> bool {
        matches!(self, Error::Unreachable { .. } | Error::Locked { .. })
    }

    /// The folder and the system's message when the error is a disk that cannot take a
    /// job's file: full, read-only, over quota, or failing (`EIO`), as met when the folder
    /// was tried, the file written, or read back for its checksum.
    pub fn disk_failure(&self) -> Option<(PathBuf, String)> {
        let failing = |source: &std::io::Error| {
            use std::io::ErrorKind;
            matches!(
                source.kind(),
                ErrorKind::StorageFull | ErrorKind::ReadOnlyFilesystem | ErrorKind::QuotaExceeded
            ) || source.raw_os_error() == Some(EIO)
        };
        match self {
            Error::Destination { dir, message } => Some((dir.clone(), message.clone())),
            Error::Hub(videohub::Error::Io { path, source, .. }) if failing(source) => {
                Some((folder_of(path), source.to_string()))
            }
            Error::ReadBack { path, source } if failing(source) => {
                Some((folder_of(path), source.to_string()))
            }
            _ => None,
        }
    }
}

/// The system's code of an input/output error of the device (`EIO` on Linux and the BSDs).
const EIO: i32 = 5;

/// The folder a file is in (the path itself when it names a folder).
fn folder_of(path: &std::path::Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    path.parent()
        .map_or_else(|| path.to_path_buf(), std::path::Path::to_path_buf)
}
