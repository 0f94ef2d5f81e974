//! The rules a model is held to: those of one parameter (`param`), and those across its
//! fields (`fields`: unique names, groups, the media inputs of its category).

mod fields;
pub(super) mod param;

pub(super) use fields::{check_enum_names, check_groups, check_media, check_wire_names};
