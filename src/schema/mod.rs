//! The `virtualstore.toml` front end: TOML model with spans, the type language,
//! paths and loading of migration/handler files. Produces `model::Project`.

pub mod exposure;
pub mod load;
pub mod lock;
pub mod model;
pub mod paths;
pub mod tree;
pub mod types;
