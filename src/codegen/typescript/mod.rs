//! roblox-ts typings (`typescript = true` in `[project]`): one `index.d.ts`
//! beside each generated store module and each client module, so a roblox-ts
//! game imports them like any `@rbxts` package (`init.luau` + `index.d.ts`).
//!
//! The server module returns one value, so its typings use `export =` with a
//! namespace of the same name for the data, payload and facade types. The
//! client module returns a table of functions, so its typings are plain named
//! exports. Multiple Luau returns are `LuaTuple`s; methods called with `:` are
//! interface methods, module functions are `declare function`s.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::schema::model::{Project, Store, StoreKind, Type};

use super::{header, resolve, validators, Observed, OutFile};

/// A path segment as the typings spell it.
#[derive(Clone)]
enum Seg {
    Key(String),
    AnyKey,
    Index,
}

/// A path into the data with the type found there.
struct Site {
    segs: Vec<Seg>,
    ty: Type,
}

fn ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn key(name: &str) -> String {
    if ident(name) {
        name.to_string()
    } else {
        string(name)
    }
}

/// The TypeScript type of a schema type at `indent` tabs. `ro` makes every
/// property, array and map read-only (the client's frozen mirror).
fn ts(ty: &Type, indent: usize, ro: bool) -> String {
    let readonly = if ro { "readonly " } else { "" };
    match ty {
        Type::Integer { .. } | Type::Number { .. } => "number".to_string(),
        Type::String { .. } => "string".to_string(),
        Type::Boolean => "boolean".to_string(),
        Type::Array(inner) => {
            let array = if ro { "ReadonlyArray" } else { "Array" };
            format!("{array}<{}>", ts(inner, indent, ro))
        }
        Type::Map(inner) => {
            let map = if ro { "ReadonlyMap" } else { "Map" };
            format!("{map}<string, {}>", ts(inner, indent, ro))
        }
        Type::Record(fields) if fields.is_empty() => "{}".to_string(),
        Type::Record(fields) => {
            let tabs = "\t".repeat(indent + 1);
            let mut out = String::from("{\n");
            for f in fields {
                let (optional, inner) = match &f.ty {
                    Type::Optional(inner) => ("?", inner.as_ref()),
                    other => ("", other),
                };
                let _ = writeln!(
                    out,
                    "{tabs}{readonly}{}{optional}: {};",
                    key(&f.name),
                    ts(inner, indent + 1, ro)
                );
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
            out
        }
        Type::Optional(inner) => match inner.as_ref() {
            Type::Optional(_) => ts(inner, indent, ro),
            _ => format!("{} | undefined", ts(inner, indent, ro)),
        },
        Type::Enum(options) => options
            .iter()
            .map(|o| string(o))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Named(name) => name.clone(),
    }
}

/// `interface Name { ... }` for records, `type Name = ...;` otherwise.
fn declaration(project: &Project, name: &str, ty: &Type, indent: usize, ro: bool) -> String {
    let tabs = "\t".repeat(indent);
    match resolve(project, ty) {
        Type::Record(_) if !matches!(ty, Type::Named(_)) => {
            format!("{tabs}interface {name} {}", ts(ty, indent, ro))
        }
        _ => format!("{tabs}type {name} = {};", ts(ty, indent, ro)),
    }
}

/// A `T | undefined` that does not repeat `undefined`.
fn maybe(ty: &str) -> String {
    if ty.ends_with("| undefined") {
        ty.to_string()
    } else {
        format!("{ty} | undefined")
    }
}

/// Every place in the data a path can name, through records (a field),
/// maps (any string key) and arrays (a one-based index).
fn sites(project: &Project, shape: &Type) -> Vec<Site> {
    fn walk(project: &Project, segs: &mut Vec<Seg>, ty: &Type, out: &mut Vec<Site>, depth: usize) {
        if !segs.is_empty() {
            out.push(Site {
                segs: segs.clone(),
                ty: ty.clone(),
            });
        }
        if depth > 16 {
            return;
        }
        let mut t = resolve(project, ty);
        if let Type::Optional(inner) = t {
            t = resolve(project, inner);
        }
        match t {
            Type::Record(fields) => {
                for f in fields {
                    segs.push(Seg::Key(f.name.clone()));
                    walk(project, segs, &f.ty, out, depth + 1);
                    segs.pop();
                }
            }
            Type::Map(inner) => {
                segs.push(Seg::AnyKey);
                walk(project, segs, inner, out, depth + 1);
                segs.pop();
            }
            Type::Array(inner) => {
                segs.push(Seg::Index);
                walk(project, segs, inner, out, depth + 1);
                segs.pop();
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(project, &mut Vec::new(), shape, &mut out, 0);
    out
}

/// The path parameter type: `"Inventory" | readonly ["Inventory"]` for a
/// top-level key, `readonly ["Wallet", "Coins"]` below it.
fn path_type(segs: &[Seg]) -> String {
    let parts: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::Key(k) => string(k),
            Seg::AnyKey => "string".to_string(),
            Seg::Index => "number".to_string(),
        })
        .collect();
    let tuple = format!("readonly [{}]", parts.join(", "));
    match segs {
        [Seg::Key(k)] => format!("{} | {tuple}", string(k)),
        _ => tuple,
    }
}

fn numeric(project: &Project, ty: &Type) -> bool {
    matches!(
        resolve(project, ty),
        Type::Integer { .. } | Type::Number { .. }
    )
}

fn element(project: &Project, ty: &Type) -> Option<Type> {
    match resolve(project, ty) {
        Type::Array(inner) => Some(inner.as_ref().clone()),
        _ => None,
    }
}

/// Path-typed overloads of one method for every site `pick` accepts.
/// `line(path, site)` writes one overload.
fn overloads(
    sites: &[Site],
    indent: usize,
    pick: impl Fn(&Site) -> bool,
    line: impl Fn(&str, &Site) -> String,
) -> String {
    let tabs = "\t".repeat(indent);
    let mut out = String::new();
    for s in sites.iter().filter(|s| pick(s)) {
        let _ = writeln!(out, "{tabs}{}", line(&path_type(&s.segs), s));
    }
    out
}

/// Methods shared by the player facade (with a leading `player` parameter)
/// and a keyed store's session (without one).
fn path_methods(project: &Project, sites: &[Site], indent: usize, player: bool) -> String {
    let who = if player { "player: Player, " } else { "" };
    let (get, add) = if player {
        ("GetPath", "Add")
    } else {
        ("Get", "Increment")
    };
    let mut out = String::new();
    // The facade answers (value, error); a session's Get answers the value alone.
    out.push_str(&overloads(
        sites,
        indent,
        |_| true,
        |path, s| {
            let value = maybe(&ts(&s.ty, indent, false));
            if player {
                format!("{get}({who}path: {path}): LuaTuple<[{value}, VirtualError | undefined]>;")
            } else {
                format!("{get}({who}path: {path}): {value};")
            }
        },
    ));
    out.push_str(&overloads(sites, indent, |_| true, |path, s| {
        format!(
            "Set({who}path: {path}, value: {}, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;",
            ts(&s.ty, indent, false)
        )
    }));
    out.push_str(&overloads(sites, indent, |s| numeric(project, &s.ty), |path, _| {
        format!(
            "{add}({who}path: {path}, delta: number, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;"
        )
    }));
    out.push_str(&overloads(sites, indent, |s| element(project, &s.ty).is_some(), |path, s| {
        let value = element(project, &s.ty).map(|t| ts(&t, indent, false)).unwrap_or_default();
        format!(
            "Insert({who}path: {path}, value: {value}, index?: number, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;"
        )
    }));
    let tabs = "\t".repeat(indent);
    let _ = writeln!(
        out,
        "{tabs}Remove({who}path: Path, index?: number, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;"
    );
    let _ = writeln!(
        out,
        "{tabs}Patch({who}path: Path, callback: (current: unknown) => unknown, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;"
    );
    out
}

const SHARED: &str = "\t/** A structured runtime error (`VirtualStore.Errors`). */
\tinterface VirtualError {
\t\treadonly Code: string;
\t\treadonly Message: string;
\t\treadonly Details?: { readonly [key: string]: unknown };
\t}

\t/** A top-level key, or an array of keys and one-based indices. */
\ttype Path = string | ReadonlyArray<string | number>;

\tinterface MutationOptions {
\t\tReason?: string;
\t\tSource?: string;
\t}

\tinterface Connection {
\t\treadonly Connected: boolean;
\t\tDisconnect(): void;
\t}

\tinterface Signal<T extends Array<unknown>> {
\t\tConnect(callback: (...args: T) => void): Connection;
\t\tOnce(callback: (...args: T) => void): Connection;
\t\tWait(): LuaTuple<T>;
\t}
";

/// One overload per durable operation, its payload typed; none without operations.
fn operation_overloads(operations: &[(String, String)], head: &str, ret: &str) -> String {
    let mut out = String::new();
    for (name, payload) in operations {
        let _ = writeln!(out, "\t\t{head}name: {name}, payload: {payload}): {ret};");
    }
    out
}

fn session(project: &Project, sites: &[Site], operations: &[(String, String)]) -> String {
    let mut out = String::from(
        "\t/** One open key: the authoritative data and its mutation helpers. */
\tinterface Session {
\t\treadonly Key: string;
\t\treadonly Data: Data;
\t\treadonly OnChanged: Signal<[change: { readonly Reason: string; readonly Paths: ReadonlyArray<ReadonlyArray<string | number>> }]>;
\t\treadonly OnSaved: Signal<[]>;
\t\treadonly OnReleased: Signal<[]>;
\t\tIsActive(): boolean;
\t\tGetData(): Data;
",
    );
    out.push_str(&path_methods(project, sites, 2, false));
    out.push_str(
        "\t\tSnapshot(): Data;
\t\tTransaction(callback: (profile: Data) => unknown, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tWithLockTransaction(name: string, callback: (profile: Data) => unknown, options?: MutationOptions & { Timeout?: number }): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tSaveAsync(): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tCheckpointAsync(): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tReleaseAsync(): LuaTuple<[boolean, VirtualError | undefined]>;
",
    );
    out.push_str(&operation_overloads(
        operations,
        "QueueOperationAsync(id: string, ",
        "LuaTuple<[string | undefined, VirtualError | undefined]>",
    ));
    out.push_str("\t}\n");
    out
}

fn store_interface(operations: &[(String, String)]) -> String {
    let queue = operation_overloads(
        operations,
        "QueueOperationAsync(key: string, id: string, ",
        "LuaTuple<[string | undefined, VirtualError | undefined]>",
    );
    format!(
        "\t/** The key-based store. */
\tinterface Store {{
\t\treadonly Name: string;
\t\treadonly OnError: Signal<[error: VirtualError]>;
\t\treadonly CriticalStateChanged: Signal<[critical: boolean, diagnostics: {{ readonly RecentIssueCount: number }}]>;
\t\treadonly SessionOpened: Signal<[session: Session]>;
\t\treadonly SessionClosed: Signal<[session: Session]>;
\t\tOpenAsync(key: string, options?: {{ readonly [option: string]: unknown }}): LuaTuple<[Session | undefined, VirtualError | undefined]>;
\t\tGetSession(key: string): Session | undefined;
\t\tIsOpen(key: string): boolean;
\t\tIsCritical(): boolean;
\t\tGetDiagnostics(): {{ readonly [name: string]: unknown }};
\t\tViewAsync(key: string): LuaTuple<[Data | undefined, VirtualError | undefined, unknown]>;
\t\tUpdateAsync(key: string, callback: (profile: Data) => unknown): LuaTuple<[Data | undefined, VirtualError | undefined]>;
{queue}
\t\tGetOperationAsync(key: string, id: string): LuaTuple<[string | undefined, VirtualError | undefined, unknown]>;
\t\tAwaitOperationAsync(key: string, id: string, timeout?: number): LuaTuple<[string | undefined, VirtualError | undefined, unknown]>;
\t\tListVersionsAsync(key: string, options?: {{ readonly [option: string]: unknown }}): LuaTuple<[unknown, VirtualError | undefined]>;
\t\tViewVersionAsync(key: string, version: string): LuaTuple<[Data | undefined, VirtualError | undefined, unknown]>;
\t\tViewAtTimeAsync(key: string, timestamp: number): LuaTuple<[Data | undefined, VirtualError | undefined, unknown]>;
\t\tRestoreVersionAsync(key: string, version: string): LuaTuple<[Data | undefined, VirtualError | undefined]>;
\t\tGetDeleteConfirmation(key: string): string;
\t\tDeleteAsync(key: string, confirmation: string): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tCloseAsync(): LuaTuple<[boolean, VirtualError | undefined]>;
\t}}
"
    )
}

fn facade(project: &Project, sites: &[Site], operations: &[(String, String)]) -> String {
    let deliver = operation_overloads(
        operations,
        "DeliverAsync(target: Player | number, id: string, ",
        "LuaTuple<[string | undefined, VirtualError | undefined]>",
    );
    let mut out = String::from(
        "\ttype LoadState = \"Loading\" | \"Retrying\" | \"Ready\" | \"Failed\" | \"Releasing\" | \"Released\";

\t/** The player facade: one Player_<UserId> session per player in the server. */
\tinterface Facade {
\t\treadonly Name: string;
\t\treadonly Store: Store;
\t\treadonly Loaded: Signal<[player: Player, profile: Data, session: Session]>;
\t\treadonly LoadStateChanged: Signal<[player: Player, state: LoadState]>;
\t\tWait(player: Player, timeout?: number): LuaTuple<[Session | undefined, VirtualError | undefined]>;
\t\tGetState(player: Player): LoadState | undefined;
\t\tIsLoaded(player: Player): boolean;
\t\tGetSession(player: Player): Session | undefined;
\t\tGet(player: Player): LuaTuple<[Data | undefined, VirtualError | undefined]>;
",
    );
    out.push_str(&path_methods(project, sites, 2, true));
    let _ = write!(
        out,
        "\t\tEdit(player: Player, callback: (profile: Data) => unknown, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tSaveAsync(player: Player): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tCheckpointAsync(player: Player): LuaTuple<[boolean, VirtualError | undefined]>;
{deliver}\t\tReplicateNow(player: Player): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tReleaseAsync(player: Player): LuaTuple<[boolean, VirtualError | undefined]>;
\t\tCloseAsync(): LuaTuple<[boolean, VirtualError | undefined]>;
\t}}
"
    );
    out
}

/// `<Store>/index.d.ts`: the server module (`export =` the facade or store).
fn server(project: &Project, store: &Store) -> String {
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
    let mut ops: Vec<_> = store.operations.iter().collect();
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    for op in &ops {
        let payload = format!(
            "{}Payload",
            super::luau::pascal(std::slice::from_ref(&op.name))
        );
        let _ = writeln!(
            out,
            "{}\n",
            declaration(project, &payload, &op.payload, 1, false)
        );
    }
    let operations: Vec<(String, String)> = ops
        .iter()
        .map(|o| {
            let payload = format!(
                "{}Payload",
                super::luau::pascal(std::slice::from_ref(&o.name))
            );
            (string(&o.name), payload)
        })
        .collect();
    out.push_str(SHARED);
    out.push('\n');
    let sites = sites(project, &store.shape);
    out.push_str(&session(project, &sites, &operations));
    out.push('\n');
    out.push_str(&store_interface(&operations));
    let value = match store.kind {
        StoreKind::Players => {
            out.push('\n');
            out.push_str(&facade(project, &sites, &operations));
            "Facade"
        }
        StoreKind::Keyed => "Store",
    };
    let _ = write!(
        out,
        "}}\n\ndeclare const {ns}: {ns}.{value};\n\nexport = {ns};\n"
    );
    out
}

/// `<Store>Client/index.d.ts`: the typed client bindings (named exports).
fn client(project: &Project, store: &Store, public: &Type, observed: &[Observed]) -> String {
    let mut out = format!(
        "// {}\n// roblox-ts typings for ReplicatedStorage.{}Client.\n\n",
        ts_header(),
        store.name
    );
    for (n, t) in validators::referenced_types(&project.types, &[public]) {
        let _ = writeln!(out, "export {}\n", declaration(project, n, t, 0, true));
    }
    let _ = writeln!(
        out,
        "/** What the owning client receives: only the public paths of {}. Deeply frozen. */\nexport {}\n",
        store.name,
        declaration(project, "PublicData", public, 0, true)
    );
    out.push_str(
        "/** The value at each public path, by dotted name. */\nexport interface PublicValues {\n",
    );
    for o in observed {
        let _ = writeln!(
            out,
            "\treadonly {}: {};",
            string(&o.key),
            ts(&o.ty, 1, true)
        );
    }
    out.push_str("}\n\nexport type PublicPath = keyof PublicValues;\n\n");
    out.push_str(
        "export type State = \"Connecting\" | \"Ready\" | \"Resyncing\" | \"Disconnected\";

/** A top-level key, or an array of keys and one-based indices. */
export type Path = string | ReadonlyArray<string | number>;

export interface Connection {
\treadonly Connected: boolean;
\tDisconnect(): void;
}

export interface Signal<T extends Array<unknown>> {
\tConnect(callback: (...args: T) => void): Connection;
\tOnce(callback: (...args: T) => void): Connection;
\tWait(): LuaTuple<T>;
}

/** A read-only mirror of the owner's public data. */
export interface Replica {
\treadonly Name: string;
\treadonly Changed: Signal<[paths: ReadonlyArray<ReadonlyArray<string | number>>]>;
\treadonly StateChanged: Signal<[state: State, previous: State]>;
\tAwait(timeout?: number): LuaTuple<[ok: boolean, reason: \"Timeout\" | \"Disconnected\" | undefined]>;
\tGetState(): State;
\tGetRevision(): number;
\tGet(): PublicData;
\tGetPath(path: Path): unknown;
\tObserve(path: Path, callback: (value: unknown) => void): Connection;
\tDisconnect(): void;
}

",
    );
    let _ = write!(
        out,
        "export declare const Channel: {};\n\nexport declare const Paths: {{ readonly [P in PublicPath]: ReadonlyArray<string> }};\n\n",
        string(&store.channel)
    );
    out.push_str("/** Connects to the owner-only channel; Ready after the first snapshot. */\nexport declare function connect(): Replica;\n\n");
    out.push_str("/** Observes one public path by name, typed with that path's value. */\nexport declare function Observe<P extends PublicPath>(\n\treplica: Replica,\n\tpath: P,\n\tcallback: (value: PublicValues[P]) => void,\n): Connection;\n");
    for o in observed {
        let _ = write!(
            out,
            "\nexport declare function Observe{}(replica: Replica, callback: (value: {}) => void): Connection;\n",
            o.name,
            ts(&o.ty, 0, true)
        );
    }
    out
}

fn ts_header() -> String {
    header().trim_start_matches("-- ").to_string()
}

/// Emits both typings files of `store`.
pub(crate) fn store_files(
    project: &Project,
    store: &Store,
    public: &Type,
    observed: &[Observed],
    files: &mut Vec<OutFile>,
) {
    files.push(OutFile {
        path: PathBuf::from(&store.name).join("index.d.ts"),
        contents: server(project, store),
    });
    files.push(OutFile {
        path: PathBuf::from(format!("{}Client", store.name)).join("index.d.ts"),
        contents: client(project, store, public, observed),
    });
}
