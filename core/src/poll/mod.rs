//! Waiting for a task: the poll policy, the poller and its stream of updates.
//!
//! The default policy learns: every client keeps, per model, the durations of the last
//! tasks it saw complete ([`Client::typical_duration`](crate::Client::typical_duration)),
//! fits a log-normal distribution to them, and places the polls of the next task of that
//! model where tasks of that model usually finish (the fit is in `learned.rs`). See
//! [`PollPolicy`] for the schedule.
//!
//! - `policy`: [`PollPolicy`] and its [`Schedule`];
//! - `poller`: the poller behind [`Task::wait`](crate::Task::wait) and
//!   [`Task::updates`](crate::Task::updates).

mod policy;
mod poller;

pub use policy::{PollPolicy, Schedule};
pub use poller::TaskUpdate;
