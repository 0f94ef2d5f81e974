//! The journal the commands record jobs in: the user's own, another given with `--store`,
//! or one in memory with `--no-store`.

use videohub_journal::{Error, Journal};

use crate::args::StoreArgs;
use crate::hub::{Hub, api};
use crate::output::{Exit, Failure};

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

/// Opens the journal and teaches the hub's client the task durations it holds for this hub.
pub(crate) async fn open_for(hub: &Hub, args: &StoreArgs) -> Result<Journal, Failure> {
    let journal = open(args).await?;
    let durations = journal
        .task_durations(&hub.label())
        .await
        .map_err(failure)?;
    hub.client.remember_task_durations(&durations);
    Ok(journal)
}

/// A journal or job error, with its exit code.
pub(crate) fn failure(error: Error) -> Failure {
    let exit = match &error {
        Error::Hub(_) => return api_of(error),
        Error::NoSuchJob { .. } | Error::AmbiguousJob { .. } | Error::WrongState { .. } => {
            Exit::Usage
        }
        _ => Exit::Api,
    };
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

/// The message of an unknown submit outcome, with the command that submits it again.
pub(crate) fn retry_hint(error: &Error, id: &str) -> String {
    format!("{error}: `videohub jobs retry {id} --force` is that retry")
}

fn api_of(error: Error) -> Failure {
    match error {
        Error::Hub(hub) => api(hub),
        other => failure(other),
    }
}
