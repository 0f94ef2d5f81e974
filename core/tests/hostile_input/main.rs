//! Hostile input: every parser of the hub's answers meets random JSON, random bytes and
//! truncated bodies, and must neither panic nor hold more than its caps.
//!
//! Covered: `SubmitReceipt::from_json`, `TaskState::from_json`, the video URLs of a task's
//! output (`TaskState::into_output`), `ModelInfo::from_json`, `ModelSchema` deserialization
//! with `validate_input` and `diff` (`parsers`), and, through a local server, the client's
//! reading of error bodies, task answers, catalog answers and submit answers, where no
//! error shows the client's key wherever the hub put it (`server`);
//! values at the limits in `limits`, the random inputs in `strategies`. Case counts are
//! small enough for the suite to stay well under ten seconds.

#[path = "../common/mod.rs"]
mod common;
mod limits;
mod parsers;
mod server;
mod strategies;
