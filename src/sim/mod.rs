//! TODO owner fills this module.

pub mod verify;
