//! The task endpoints of the hub's API.

pub(super) mod poll;
pub(super) mod submit;
