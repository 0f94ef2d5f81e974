//! The exit policy: every outcome a command can have, ordered by severity, so that a
//! command with many outcomes (`batch run`, `jobs resume`) exits with the worst of them.

use std::process::ExitCode;

use videohub_journal::{Job, JobState};

/// Exit codes: 0 success, 1 an API or transport failure, 2 a usage or validation error
/// (nothing was sent), 3 the task failed, timed out or was cancelled on the hub, 4 the live
/// hub differs from the compiled models.
///
/// The variants are declared from the mildest to the worst, so `max` over several outcomes
/// is the one to exit with: a failed task is worse than success and drift, a job stopped
/// short (transport, journal, an unknown submit outcome) worse than a failed task, and a
/// command that could not start (usage) worst of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Exit {
    /// Everything went as asked.
    Success,
    /// The live hub differs from the compiled models.
    Drift,
    /// The task failed, timed out or was cancelled on the hub.
    Task,
    /// An API or transport failure, or a job that stopped short of a final state.
    Api,
    /// A usage or validation error: nothing was sent.
    Usage,
}

impl Exit {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Api => 1,
            Exit::Usage => 2,
            Exit::Task => 3,
            Exit::Drift => 4,
        }
    }

    /// The outcome of a job as it stands, by [`Exit::from_state`].
    pub(crate) fn of_job(job: &Job) -> Exit {
        Exit::from_state(job.state, job.task_id.is_some())
    }

    /// The outcome of a job in `state`, with a task on the hub or not: downloaded is
    /// success; an unknown submit outcome and a submit the hub refused (failed without a
    /// task) are API failures; a task that failed, timed out or was cancelled on the hub (or
    /// any other state) is a task failure.
    pub(crate) fn from_state(state: JobState, has_task: bool) -> Exit {
        match state {
            JobState::Downloaded => Exit::Success,
            JobState::OutcomeUnknown => Exit::Api,
            JobState::Failed if !has_task => Exit::Api,
            _ => Exit::Task,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

impl From<&videohub::Error> for Exit {
    /// A hub call's failure by kind: the task's own end, a request refused before it was
    /// sent, or the API and transport.
    fn from(error: &videohub::Error) -> Self {
        use videohub::Error;
        match error {
            Error::TaskFailed { .. }
            | Error::TaskTimedOut { .. }
            | Error::TaskCancelled { .. }
            | Error::DeadlineExceeded { .. } => Exit::Task,
            Error::InvalidRequest(_) | Error::Config { .. } | Error::MissingApiKey => Exit::Usage,
            _ => Exit::Api,
        }
    }
}

impl From<&videohub_journal::Error> for Exit {
    /// A journal or job error: a job the command cannot apply to is a usage error, a hub
    /// error is classified as the hub's, anything else is an API failure.
    fn from(error: &videohub_journal::Error) -> Self {
        use videohub_journal::Error;
        match error {
            Error::Hub(hub) => Exit::from(hub),
            Error::NoSuchJob { .. }
            | Error::AmbiguousJob { .. }
            | Error::WrongState { .. }
            | Error::Destination { .. }
            | Error::BatchReread { .. } => Exit::Usage,
            _ => Exit::Api,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_are_the_documented_ones() {
        let codes: Vec<u8> = [
            Exit::Success,
            Exit::Api,
            Exit::Usage,
            Exit::Task,
            Exit::Drift,
        ]
        .map(Exit::code)
        .to_vec();
        assert_eq!(codes, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn the_worst_outcome_wins() {
        assert!(Exit::Success < Exit::Drift);
        assert!(Exit::Drift < Exit::Task);
        assert!(Exit::Task < Exit::Api);
        assert!(Exit::Api < Exit::Usage);
        let outcomes = [Exit::Success, Exit::Task, Exit::Success];
        assert_eq!(outcomes.into_iter().max(), Some(Exit::Task));
        let outcomes = [Exit::Task, Exit::Api, Exit::Success];
        assert_eq!(outcomes.into_iter().max(), Some(Exit::Api));
        assert_eq!([].into_iter().max().unwrap_or(Exit::Success), Exit::Success);
    }

    #[test]
    fn job_states_map_to_their_outcomes() {
        assert_eq!(Exit::from_state(JobState::Downloaded, true), Exit::Success);
        assert_eq!(Exit::from_state(JobState::Failed, true), Exit::Task);
        assert_eq!(Exit::from_state(JobState::Timeout, true), Exit::Task);
        assert_eq!(Exit::from_state(JobState::Cancelled, true), Exit::Task);
        assert_eq!(Exit::from_state(JobState::Failed, false), Exit::Api);
        assert_eq!(Exit::from_state(JobState::OutcomeUnknown, false), Exit::Api);
        let batch = [
            (JobState::Downloaded, true),
            (JobState::Failed, true),
            (JobState::Downloaded, true),
        ];
        let worst = batch.into_iter().map(|(s, t)| Exit::from_state(s, t)).max();
        assert_eq!(worst, Some(Exit::Task));
    }

    #[test]
    fn hub_errors_map_by_kind() {
        use videohub::Error;
        assert_eq!(Exit::from(&Error::MissingApiKey), Exit::Usage);
        let timed_out = Error::TaskTimedOut {
            task_id: "t".into(),
            message: None,
        };
        assert_eq!(Exit::from(&timed_out), Exit::Task);
        let missing = Error::NoOutputFile {
            task_id: "t".into(),
        };
        assert_eq!(Exit::from(&missing), Exit::Api);
    }

    #[test]
    fn journal_errors_map_by_kind() {
        use videohub_journal::Error;
        let no_job = Error::NoSuchJob { id: "j".into() };
        assert_eq!(Exit::from(&no_job), Exit::Usage);
        let unknown = Error::OutcomeUnknown {
            id: "j".into(),
            reason: "cut".into(),
        };
        assert_eq!(Exit::from(&unknown), Exit::Api);
        let hub = Error::Hub(videohub::Error::MissingApiKey);
        assert_eq!(Exit::from(&hub), Exit::Usage);
    }
}
