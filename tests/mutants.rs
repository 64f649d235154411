//! Mutation testing of the runtime: each entry of `tests/mutants/catalogue.toml`
//! is one realistic bug (a small patch to `templates/runtime` or
//! `templates/client`). The runner applies it to a scratch copy of
//! `templates/`, then runs, until one fails: the runtime specs of the entry's
//! `filter` (or its section's), the advanced example's specs and fixture
//! checks with the mutated runtime and client, a short `vstore sim` sweep, and
//! last (the slowest) every runtime spec. A failing stage kills the mutant; the run prints the kill
//! rate and every survivor.
//!
//! `VSTORE_MUTANTS` picks the entries: unset runs the `fast` ones (the
//! ordinary test command, CI), `all` runs the catalogue, a comma list runs
//! those IDs, `none` only checks the catalogue. Any surviving `fast` mutant
//! fails; the full run fails below `MIN_KILL_RATE`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use serde::Deserialize;

/// The share of the catalogue the project's specs and oracles must kill.
const MIN_KILL_RATE: f64 = 0.95;

/// The catalogue's sections, each with the runtime specs tried first for its
/// mutants (a `--filter` text) when an entry names none.
const SECTIONS: &[(&str, &str)] = &[
    ("lease", "lease"),
    ("saves", "saves"),
    ("mutations", "path mutations"),
    ("transactions", "transactions"),
    ("locks", "edits"),
    ("autosave", "autosave"),
    ("replication", "replication of public paths"),
    ("client", "replication of public paths"),
    ("migrations", "migrations of stored data"),
    ("ledgers", "durable operations"),
    ("operations", "durable operations"),
    ("admin", "versions and admin"),
    ("trades", "trade saga"),
    ("messaging", "messaging hints"),
    ("liveness", "server liveness"),
    ("ordered", "OrderedIndex"),
];

/// The sim sweep of the last stage: scenario names, over seeds 1 and 2.
const SIM_SCENARIOS: &[&str] = &["chaos", "ambiguous", "crashes"];

#[derive(Debug, Deserialize)]
struct Catalogue {
    mutant: Vec<Mutant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutant {
    id: String,
    section: String,
    /// Relative to `templates/`.
    file: String,
    bug: String,
    #[serde(default)]
    fast: bool,
    /// Runtime specs tried first (`vstore test --filter`; default: the
    /// section's).
    filter: Option<String>,
    from: String,
    to: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> Vec<Mutant> {
    let path = root().join("tests/mutants/catalogue.toml");
    let text = std::fs::read_to_string(&path).expect("read the mutant catalogue");
    toml::from_str::<Catalogue>(&text)
        .expect("parse the mutant catalogue")
        .mutant
}

/// Problems of the catalogue itself: unknown sections, duplicate IDs, anchors
/// that do not occur exactly once, patches that change nothing.
fn problems(catalogue: &[Mutant]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in catalogue {
        if !seen.insert(m.id.as_str()) {
            out.push(format!("{}: duplicate id", m.id));
        }
        if !SECTIONS.iter().any(|(name, _)| *name == m.section) {
            out.push(format!("{}: unknown section `{}`", m.id, m.section));
        }
        if m.from == m.to {
            out.push(format!("{}: the patch changes nothing", m.id));
        }
        match std::fs::read_to_string(root().join("templates").join(&m.file)) {
            Ok(text) => {
                let count = text.matches(m.from.as_str()).count();
                if count != 1 {
                    out.push(format!(
                        "{}: the anchor occurs {count} times in templates/{} (must be once)",
                        m.id, m.file
                    ));
                }
            }
            Err(e) => out.push(format!("{}: templates/{}: {e}", m.id, m.file)),
        }
    }
    out
}

/// A scratch copy of `templates/` with one mutant applied, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(m: &Mutant) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("vstore-mutants-{}-{}", std::process::id(), m.id));
        let _ = std::fs::remove_dir_all(&dir);
        for part in ["runtime", "client"] {
            vstore::sim::mount::copy_tree(&root().join("templates").join(part), &dir.join(part))
                .expect("copy templates");
        }
        let path = dir.join(&m.file);
        let text = std::fs::read_to_string(&path).expect("read the mutated file");
        std::fs::write(&path, text.replacen(m.from.as_str(), m.to.as_str(), 1))
            .expect("write the mutated file");
        Scratch(dir)
    }

    fn part(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `vstore` from the crate root; whether it succeeded.
fn vstore(args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run vstore")
        .status
        .success()
}

/// `killer` of each mutant, in order, on as many threads as there are cores
/// (each stage is a `vstore` process of one thread).
fn killers(chosen: &[&Mutant]) -> Vec<Option<String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![None; chosen.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(chosen.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(m) = chosen.get(i) else { break };
                let stage = killer(m);
                results.lock().unwrap()[i] = stage;
            });
        }
    });
    results.into_inner().unwrap()
}

/// The first stage that fails on the mutant, or None when it survives.
fn killer(m: &Mutant) -> Option<String> {
    let scratch = Scratch::new(m);
    let (runtime, client) = (scratch.part("runtime"), scratch.part("client"));
    let specs = |filter: Option<&str>| {
        let mut args = vec![
            "test",
            "--runtime",
            runtime.as_str(),
            "--client",
            client.as_str(),
            "--specs",
            "tests/runtime",
        ];
        if let Some(f) = filter {
            args.extend(["--filter", f]);
        }
        vstore(&args)
    };
    let first = m.filter.as_deref().or_else(|| {
        SECTIONS
            .iter()
            .find(|(name, _)| *name == m.section)
            .map(|(_, filter)| *filter)
    });
    if let Some(filter) = first {
        if !specs(Some(filter)) {
            return Some(format!("runtime specs `{filter}`"));
        }
    }
    let project = [
        "test",
        "--project",
        "schema-examples/advanced",
        "--runtime",
        runtime.as_str(),
        "--client",
        client.as_str(),
    ];
    if !vstore(&project) {
        return Some("advanced example specs and fixtures".into());
    }
    if let Some(stage) = sim_fails(&runtime) {
        return Some(stage);
    }
    // The whole runtime suite last: it is the slowest stage.
    if !specs(None) {
        return Some("runtime specs".into());
    }
    None
}

/// The sim sweep stage: whether every scenario passes on `runtime`.
fn sim_fails(runtime: &str) -> Option<String> {
    for scenario in SIM_SCENARIOS {
        let sim = [
            "sim",
            "--scenario",
            scenario,
            "--project",
            "schema-examples/advanced",
            "--seeds",
            "1..2",
            "--ci",
            "--runtime",
            runtime,
        ];
        if !vstore(&sim) {
            return Some(format!("sim {scenario}"));
        }
    }
    None
}

fn main() -> ExitCode {
    // libtest's arguments (`--list`, filters) do not apply: answer a listing
    // with nothing so `cargo test -- --list` stays quiet.
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let catalogue = load();
    let problems = problems(&catalogue);
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("catalogue: {p}");
        }
        return ExitCode::FAILURE;
    }
    let choice = std::env::var("VSTORE_MUTANTS").unwrap_or_default();
    let full = choice == "all";
    let chosen: Vec<&Mutant> = match choice.as_str() {
        "none" => Vec::new(),
        "" => catalogue.iter().filter(|m| m.fast).collect(),
        "all" => catalogue.iter().collect(),
        list => {
            let ids: Vec<&str> = list.split(',').map(str::trim).collect();
            catalogue
                .iter()
                .filter(|m| ids.contains(&m.id.as_str()))
                .collect()
        }
    };
    println!(
        "mutants: {} of {} in the catalogue ({})",
        chosen.len(),
        catalogue.len(),
        if full {
            "all"
        } else if choice.is_empty() {
            "fast"
        } else {
            "chosen"
        }
    );
    let mut survivors = Vec::new();
    for (m, killed_by) in chosen.iter().zip(killers(&chosen)) {
        match killed_by {
            Some(stage) => println!("killed   {:<34} by {stage}", m.id),
            None => {
                println!("SURVIVED {:<34} {}: {}", m.id, m.section, m.bug);
                survivors.push(*m);
            }
        }
    }
    if chosen.is_empty() {
        println!("catalogue ok: {} mutants", catalogue.len());
        return ExitCode::SUCCESS;
    }
    let killed = chosen.len() - survivors.len();
    let rate = killed as f64 / chosen.len() as f64;
    println!("killed {killed} of {} ({:.1}%)", chosen.len(), rate * 100.0);
    for m in &survivors {
        println!("survivor {} (templates/{}): {}", m.id, m.file, m.bug);
    }
    let fast_survivor = survivors.iter().any(|m| m.fast);
    if fast_survivor || (full && rate < MIN_KILL_RATE) || (!full && !survivors.is_empty()) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
