//! `<Store>/index.d.ts`: the server module's typings. The module returns one
//! value, so they use `export =` with a namespace of the same name holding
//! the data, payload, settings and API types; the interfaces of `Session`,
//! `Store` and `Facade` come from the API table.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{declaration, ident, path_sites, string, ts, ts_header};
use crate::codegen::api::typescript::{
    field_interfaces, named_declaration, owner_interface, Names, OperationSite, Scope,
};
use crate::codegen::api::used_types;
use crate::codegen::shape::resolve;
use crate::codegen::{payload_type_name, OutFile, StoreCx};
use crate::core::api::Owner;
use crate::core::codes::{COMMIT_KINDS, LOAD_STATES, OPERATION_STATUSES, SESSION_STATES};
use crate::core::settings::{Setting, SettingKind, SettingValue, STORE_SETTINGS};
use crate::schema::model::{StoreKind, Type};

fn union(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| string(v))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn same(name: &str) -> String {
    name.to_string()
}

/// `interface Settings`, each setting documented with its default.
fn settings_interface() -> String {
    let mut out = String::from("\t/** Store and Session settings (`config.Settings`, `settings = {...}`). */\n\tinterface Settings {\n");
    for s in STORE_SETTINGS {
        let _ = writeln!(out, "\t\t/** {} Default {}. */", s.doc, default_text(s));
        let ty = match s.kind {
            SettingKind::Boolean => "boolean".to_string(),
            SettingKind::Choice(choices) => union(choices),
            SettingKind::Number | SettingKind::Integer => "number".to_string(),
        };
        let _ = writeln!(out, "\t\treadonly {}: {ty};", s.name);
    }
    out.push_str("\t}\n");
    out
}

fn default_text(s: &Setting) -> String {
    match s.default {
        SettingValue::Number(n) => n.to_string(),
        SettingValue::Bool(b) => b.to_string(),
        SettingValue::Str(v) => format!("\"{v}\""),
    }
}

pub(in crate::codegen) fn render(cx: &StoreCx) -> OutFile {
    let (project, store) = (cx.project, cx.store);
    let name = &store.name;
    let ns = if ident(name) {
        name.clone()
    } else {
        "VirtualStoreModule".to_string()
    };
    let mut out = format!(
        "// {}\n// roblox-ts typings for ServerScriptService.{name}.\n\ndeclare namespace {ns} {{\n",
        ts_header()
    );
    for (n, t) in &project.types {
        let _ = writeln!(out, "{}\n", declaration(project, n, t, 1, false));
    }
    let _ = writeln!(
        out,
        "\t/** The saved data of one key, schema version {}. */\n{}\n",
        store.version,
        declaration(project, "Data", &store.shape, 1, false)
    );
    for op in &cx.operations {
        let _ = writeln!(
            out,
            "{}\n",
            declaration(project, &payload_type_name(&op.name), &op.payload, 1, false)
        );
    }
    let operations: Vec<OperationSite> = cx
        .operations
        .iter()
        .map(|o| OperationSite {
            name: string(&o.name),
            payload: payload_type_name(&o.name),
        })
        .collect();
    let or_never = |parts: Vec<String>| {
        if parts.is_empty() {
            "never".to_string()
        } else {
            parts.join(" | ")
        }
    };
    let _ = writeln!(
        out,
        "\t/** The durable operations of this store and their payloads. */\n\ttype OperationName = {};\n\ttype OperationPayload = {};\n",
        or_never(operations.iter().map(|o| o.name.clone()).collect()),
        or_never(operations.iter().map(|o| o.payload.clone()).collect()),
    );
    let _ = writeln!(
        out,
        "\t/** A top-level key, or an array of keys and one-based indices. */\n\ttype Path = string | ReadonlyArray<string | number>;\n\n\ttype LoadState = {};\n\ttype SessionState = {};\n\ttype OperationStatus = {};\n\ttype CommitKind = {};\n",
        union(LOAD_STATES),
        union(SESSION_STATES),
        union(OPERATION_STATUSES),
        union(COMMIT_KINDS),
    );
    out.push_str(
        "\tinterface Signal<T extends Array<unknown>> {\n\t\tConnect(callback: (...args: T) => void): Connection;\n\t\tOnce(callback: (...args: T) => void): Connection;\n\t\tWait(): LuaTuple<T>;\n\t}\n\n",
    );
    out.push_str(&settings_interface());
    let players = store.kind == StoreKind::Players;
    let owners: &[Owner] = if players {
        &[Owner::Session, Owner::Store, Owner::Facade]
    } else {
        &[Owner::Session, Owner::Store]
    };
    let sites = path_sites(project, &store.shape, 2);
    let names = Names {
        name: &same,
        sites: &sites,
        operations: &operations,
    };
    for t in used_types(owners, &["Connection"]) {
        out.push('\n');
        out.push_str(&named_declaration(t, &names, Scope::Namespace));
    }
    out.push('\n');
    let helpers_of = if players {
        Owner::Facade
    } else {
        Owner::Session
    };
    out.push_str(&field_interfaces(helpers_of, &names));
    out.push_str("\t/** `Fields.<Name>`: the typed helpers of every template field. */\n\tinterface FieldHelpers {\n");
    for f in &cx.fields {
        let ty = match resolve(project, &f.field.ty) {
            Type::Integer { .. } | Type::Number { .. } => "NumberField".to_string(),
            Type::Array(inner) => format!(
                "ListField<{}, {}>",
                ts(&f.field.ty, 2, false),
                ts(inner, 2, false)
            ),
            _ => format!("Field<{}>", ts(&f.field.ty, 2, false)),
        };
        let _ = writeln!(out, "\t\treadonly {}: {ty};", f.name);
    }
    out.push_str("\t}\n\n");
    let fields_entry = "\t\treadonly Fields: FieldHelpers;\n";
    out.push_str(&owner_interface(
        Owner::Session,
        "Session",
        "One open key: the authoritative data and its mutation helpers.",
        &names,
        "",
        Scope::Namespace,
    ));
    out.push('\n');
    out.push_str(&owner_interface(
        Owner::Store,
        "Store",
        "The key-based store.",
        &names,
        if players { "" } else { fields_entry },
        Scope::Namespace,
    ));
    if players {
        out.push('\n');
        out.push_str(&owner_interface(
            Owner::Facade,
            "Facade",
            "The player facade: one Player_<UserId> session per player in the server.",
            &names,
            fields_entry,
            Scope::Namespace,
        ));
    }
    let value = if players { "Facade" } else { "Store" };
    let _ = write!(
        out,
        "}}\n\ndeclare const {ns}: {ns}.{value};\n\nexport = {ns};\n"
    );
    OutFile {
        path: PathBuf::from(&store.name).join("index.d.ts"),
        contents: out,
    }
}
