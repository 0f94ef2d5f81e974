//! The states of a job.

use std::fmt;
use std::str::FromStr;

/// Where a job stands. A job moves forward only:
///
/// ```text
/// pending ─► submitting ─► submitted ─► completed ─► downloaded
///                │              ├─► failed / timeout / cancelled
///                ├─► outcome_unknown (never resent without `retry --force`)
///                └─► failed (the hub refused the submit: no task)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JobState {
    /// Recorded; its submit has not been sent.
    Pending,
    /// Its submit is being sent: a process that dies now leaves the outcome unknown.
    Submitting,
    /// The hub created the task; it is being waited for.
    Submitted,
    /// The task finished with an output that is not downloaded yet.
    Completed,
    /// The task failed, or the hub refused the submit.
    Failed,
    /// The task ran out of time on the hub.
    Timeout,
    /// The task was cancelled on the hub.
    Cancelled,
    /// The output is saved: path, size and checksum are recorded.
    Downloaded,
    /// The submit may or may not have created a task: it is never resent silently.
    OutcomeUnknown,
}

impl JobState {
    /// Every state, in the order a job goes through them.
    pub const ALL: [JobState; 9] = [
        JobState::Pending,
        JobState::Submitting,
        JobState::Submitted,
        JobState::Completed,
        JobState::Failed,
        JobState::Timeout,
        JobState::Cancelled,
        JobState::Downloaded,
        JobState::OutcomeUnknown,
    ];

    /// The states `videohub jobs resume` finishes.
    pub const UNFINISHED: [JobState; 4] = [
        JobState::Pending,
        JobState::Submitting,
        JobState::Submitted,
        JobState::Completed,
    ];

    /// The name stored and shown, e.g. `outcome_unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Submitting => "submitting",
            JobState::Submitted => "submitted",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Timeout => "timeout",
            JobState::Cancelled => "cancelled",
            JobState::Downloaded => "downloaded",
            JobState::OutcomeUnknown => "outcome_unknown",
        }
    }

    /// Whether the job still has something to do.
    pub fn is_unfinished(self) -> bool {
        JobState::UNFINISHED.contains(&self)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`JobState::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown job state `{0}` (one of: pending, submitting, submitted, completed, failed, timeout, cancelled, downloaded, outcome_unknown)"
)]
pub struct UnknownState(pub String);

impl FromStr for JobState {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownState(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::from(state.as_str())
            );
        }
        assert!("done".parse::<JobState>().is_err());
    }
}
