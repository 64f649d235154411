//! `<Store>Client/index.d.ts`: the typed client bindings as named exports:
//! the public projection, the value at each public path, the `Replica`
//! interface (from the API table) and the typed observe helpers.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{declaration, string, ts, ts_header};
use crate::codegen::api::typescript::{named_declaration, owner_interface, Names, Scope};
use crate::codegen::shape::{observed_paths, public_projection};
use crate::codegen::{validators, OutFile, StoreCx};
use crate::core::api::{self, Owner};
use crate::core::codes::REPLICA_STATES;

fn client_name(name: &str) -> String {
    match name {
        "ReplicaState" => "State".to_string(),
        other => other.to_string(),
    }
}

pub(in crate::codegen) fn render(cx: &StoreCx) -> OutFile {
    let (project, store) = (cx.project, cx.store);
    let public = public_projection(project, store);
    let observed = observed_paths(project, store);
    let mut out = format!(
        "// {}\n// roblox-ts typings for ReplicatedStorage.{}Client.\n\n",
        ts_header(),
        store.name
    );
    for (n, t) in validators::referenced_types(&project.types, &[&public]) {
        let _ = writeln!(out, "export {}\n", declaration(project, n, t, 0, true));
    }
    let _ = writeln!(
        out,
        "/** What the owning client receives: only the public paths of {}. Deeply frozen. */\nexport {}\n",
        store.name,
        declaration(project, "PublicData", &public, 0, true)
    );
    out.push_str(
        "/** The value at each public path, by dotted name. */\nexport interface PublicValues {\n",
    );
    for o in &observed {
        let _ = writeln!(
            out,
            "\treadonly {}: {};",
            string(&o.key),
            ts(&o.ty, 1, true)
        );
    }
    out.push_str("}\n\nexport type PublicPath = keyof PublicValues;\n\n");
    let states: Vec<String> = REPLICA_STATES.iter().map(|s| string(s)).collect();
    let _ = writeln!(
        out,
        "export type State = {};\n\n/** A top-level key, or an array of keys and one-based indices. */\nexport type Path = string | ReadonlyArray<string | number>;\n",
        states.join(" | ")
    );
    let names = Names {
        name: &client_name,
        sites: &[],
        operations: &[],
    };
    out.push_str(&named_declaration(
        api::named("Connection").expect("Connection is an API type"),
        &names,
        Scope::Module,
    ));
    out.push_str(
        "\nexport interface Signal<T extends Array<unknown>> {\n\tConnect(callback: (...args: T) => void): Connection;\n\tOnce(callback: (...args: T) => void): Connection;\n\tWait(): LuaTuple<T>;\n}\n\n",
    );
    out.push_str(&owner_interface(
        Owner::Replica,
        "Replica",
        "A read-only mirror of the owner's public data.",
        &names,
        "",
        Scope::Module,
    ));
    let _ = write!(
        out,
        "\nexport declare const Channel: {};\n\nexport declare const Paths: {{ readonly [P in PublicPath]: ReadonlyArray<string> }};\n\n",
        string(&store.channel)
    );
    out.push_str("/** Connects to the owner-only channel; Ready after the first snapshot. */\nexport declare function connect(): Replica;\n\n");
    out.push_str("/** Observes one public path by name, typed with that path's value. */\nexport declare function Observe<P extends PublicPath>(\n\treplica: Replica,\n\tpath: P,\n\tcallback: (value: PublicValues[P]) => void,\n): Connection;\n");
    for o in &observed {
        let _ = write!(
            out,
            "\nexport declare function Observe{}(replica: Replica, callback: (value: {}) => void): Connection;\n",
            o.name,
            ts(&o.ty, 0, true)
        );
    }
    OutFile {
        path: PathBuf::from(format!("{}Client", store.name)).join("index.d.ts"),
        contents: out,
    }
}
