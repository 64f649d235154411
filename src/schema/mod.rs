//! The `virtualstore.toml` front end: the TOML tree with spans, the table of
//! allowed keys, the spanned document read from it, the type language, data
//! paths, the checked model and `vstore.lock`. It reads and represents; what
//! the values mean is judged by `check`.

pub mod document;
pub mod keys;
pub mod load;
pub mod lock;
pub mod model;
pub mod paths;
pub mod tree;
pub mod types;
