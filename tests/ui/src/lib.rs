//! Compile-time rules of videohub, checked by `tests/ui.rs`: each case under `fail/` must not
//! compile and prints the message in its `.stderr`. What must compile is in the
//! `videohub-tests` crate (`tests/tests/compiles`), built with the other tests.
//!
//! `TRYBUILD=overwrite cargo test -p videohub-ui-tests` refreshes the messages.
