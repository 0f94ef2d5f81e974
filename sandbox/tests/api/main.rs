//! The sandbox's API over real HTTP, one module per area: tasks from submit to download,
//! keys and validation, the catalog, bounds and counters, and serving on a fixed port.

mod access;
mod bounds;
mod catalog;
#[path = "../common/mod.rs"]
mod common;
mod serve;
mod tasks;
