//! The built `videohub` binary end to end, against sandbox hubs (and a few scripted ones)
//! started by the tests.
//!
//! One test program, one module per area: the tests spend their time waiting on child
//! processes and hubs, so they run side by side (see `RUST_TEST_THREADS` in
//! `.cargo/config.toml`) instead of one program after another, and the binary's dependencies
//! are linked once. One area alone: `cargo test -p videohub-cli --test commands local_faults::`.

mod answers_and_paths;
mod basics;
mod batch;
mod batch_files;
mod catalog_drift;
mod common;
mod fleet;
mod front_ends;
mod image;
mod journal;
mod local_faults;
mod mcp;
mod metrics;
mod objects;
mod schema_corpus;
mod studio;
mod telemetry;
