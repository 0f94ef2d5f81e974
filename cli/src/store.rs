//! The journal the commands record jobs in: the user's own, another given with `--store`,
//! or one in memory with `--no-store`.

use std::time::Duration;

use videohub_journal::{Error, Journal};

use crate::exit::Exit;
use crate::hub::{Hub, api};
use crate::output::Failure;

/// Where jobs are recorded.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StoreArgs {
    /// The journal: a SQLite file (default: `$XDG_DATA_HOME/videohub/journal.sqlite3`), or
    /// a `postgres://` URL that several workers share.
    #[arg(
        long,
        global = true,
        env = "VIDEOHUB_STORE",
        value_name = "FILE_OR_URL"
    )]
    pub store: Option<String>,
    /// Record nothing (wins over `--store`): a job killed after its submit cannot be resumed.
    #[arg(long, global = true)]
    pub no_store: bool,
}

/// Opens the journal the flags name (in memory with `--no-store`).
pub(crate) async fn open(args: &StoreArgs) -> Result<Journal, Failure> {
    if args.no_store {
        return Journal::in_memory().await.map_err(failure);
    }
    match &args.store {
        Some(store) => Journal::open_store(store).await.map_err(failure),
        None => {
            let path = Journal::default_path().ok_or_else(|| {
                Failure::usage(
                    "no home directory to keep the journal in: pass `--store FILE` (or set VIDEOHUB_STORE), or `--no-store`",
                )
            })?;
            Journal::open(path).await.map_err(failure)
        }
    }
}

/// Opens the journal for commands that read it: `--no-store` makes no sense there.
pub(crate) async fn open_existing(args: &StoreArgs) -> Result<Journal, Failure> {
    if args.no_store {
        return Err(Failure::usage(
            "`--no-store` keeps no journal: there are no jobs to show",
        ));
    }
    open(args).await
}

/// How old the part file of a download no live process holds must be to be removed.
const PART_FILE_AGE: Duration = Duration::from_secs(24 * 3600);

/// Opens the journal, removes the part files no job continues (and aborts the uploads), and teaches the hub's client the task durations it holds for this hub.
pub(crate) async fn open_for(hub: &Hub, args: &StoreArgs) -> Result<Journal, Failure> {
    let journal = open(args).await?;
    match journal.sweep_parts(PART_FILE_AGE).await {
        Ok(_) => {}
        Err(error) => eprintln!("warning: cannot sweep old part files: {error}"),
    }
    #[cfg(feature = "object-store")]
    if let Err(error) = journal.sweep_uploads(&hub.client).await {
        eprintln!("warning: cannot abort abandoned uploads: {error}");
    }
    let durations = journal
        .task_durations(&hub.label())
        .await
        .map_err(failure)?;
    hub.client.remember_task_durations(&durations);
    Ok(journal)
}

/// A journal or job error, with its exit code.
pub(crate) fn failure(error: Error) -> Failure {
    let error = match error {
        Error::Hub(hub) => return api(hub),
        other => other,
    };
    let exit = Exit::from(&error);
    let message = match &error {
        Error::Corrupt { .. } | Error::NewerSchema { .. } => {
            format!("{error} (`--store FILE` names another)")
        }
        Error::OutcomeUnknown { id, .. } => retry_hint(&error, id),
        _ => error.to_string(),
    };
    Failure {
        exit,
        message,
        source: Some(Box::new(error)),
    }
}

/// The command that resumes job `id` in the journal the flags name.
pub(crate) fn resume_command(args: &StoreArgs, id: &str) -> String {
    match &args.store {
        Some(store) if !args.no_store => {
            format!("videohub --store {} jobs resume {id}", shell_word(store))
        }
        _ => format!("videohub jobs resume {id}"),
    }
}

/// `text` as one shell word.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:@%+=,".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The message of an unknown submit outcome, with the command that submits it again.
pub(crate) fn retry_hint(error: &Error, id: &str) -> String {
    format!("{error}: `videohub jobs retry {id} --force` is that retry")
}
