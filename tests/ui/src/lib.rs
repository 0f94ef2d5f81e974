//! Compile-time rules of videohub, checked by `tests/ui.rs`: each case under `fail/` must not
//! compile and prints the message in its `.stderr`; each case under `pass/` compiles.
//!
//! `TRYBUILD=overwrite cargo test -p videohub-ui-tests` refreshes the messages.
