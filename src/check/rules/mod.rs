//! Every check, one rule per file, in the order they run. A rule may read
//! what the rules before it put into the context: the type rules parse and
//! resolve types, the template rules build the store's shape, the path rules
//! resolve against it, the Luau rules share one parse of each file, and the
//! history rule runs last, once everything else is clean.
//!
//! Each rule has fixtures under `tests/malformed/<rule name>/`, one folder per
//! case, each a project the rule rejects.

mod handler_shape;
mod handler_writes;
mod history;
mod leaderboards;
mod luau_syntax;
mod migration_shape;
mod migrations;
mod nesting;
mod operations;
mod project;
mod public_exposure;
mod public_paths;
mod purity;
mod settings;
mod store_names;
mod store_version;
mod template_fields;
mod template_reserved;
mod template_shape;
mod type_names;
mod type_references;
mod type_syntax;

use super::rule::Rule;

pub use nesting::DATASTORE_MAX_DEPTH;

/// Every rule, in the order they run.
pub const RULES: &[&dyn Rule] = &[
    &project::ProjectOut,
    &type_names::TypeNames,
    &type_syntax::TypeSyntax,
    &type_references::TypeReferences,
    &store_names::StoreNames,
    &store_version::StoreVersion,
    &settings::Settings,
    &template_reserved::TemplateReserved,
    &template_fields::TemplateFields,
    &nesting::Nesting,
    &template_shape::TemplateShape,
    &public_paths::PublicPaths,
    &public_exposure::PublicExposure,
    &migrations::Migrations,
    &operations::Operations,
    &leaderboards::Leaderboards,
    &luau_syntax::LuauSyntax,
    &handler_shape::HandlerShape,
    &migration_shape::MigrationShape,
    &purity::Purity,
    &handler_writes::HandlerWrites,
    &history::History,
];

/// Codes the document reader reports before any rule runs (TOML syntax,
/// unknown keys, wrong kinds, missing keys, store kinds, template paths).
pub const DOCUMENT_CODES: &[&str] = &[
    "VS1001", "VS1002", "VS1003", "VS1004", "VS1005", "VS1006", "VS3004",
];
