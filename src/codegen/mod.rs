//! TODO owner fills this module.
