//! What must compile: builders of every family, and models declared outside `videohub` with
//! every kind of parameter, media input and capability. The cases that must not compile, with
//! the message a user sees, are in `tests/ui`.

mod every_family;
mod media_paths;
mod other_capabilities;
mod own_model;
