//! The spec runner behind `vstore test`: every `it` runs in a fresh universe
//! (new DataStore, new servers) on a first server where the spec file runs as a
//! server script beside the package.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use super::host::{install_harness, spawn_server};
use super::mount::Node;
use super::world::{run_until, Config, OutputLine, Wake, World};

/// Longest virtual time one test may take.
const TEST_LIMIT: f64 = 48.0 * 3600.0;

#[derive(Debug, Clone)]
pub struct SpecOptions {
    pub filter: Option<String>,
    pub seed: u64,
    pub echo: bool,
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    pub message: String,
    pub trace: String,
    pub output: Vec<OutputLine>,
    pub errors: Vec<String>,
}

/// Outcome of one phase: passed, resolved values, server output, thread errors.
type Phase = (bool, Vec<Value>, Vec<OutputLine>, Vec<String>);

/// Runs one spec phase (`index` 0 lists the tests) in a fresh universe.
fn run_phase(
    package: &Rc<Node>,
    source: &str,
    chunk: &str,
    index: usize,
    opts: &SpecOptions,
) -> Result<Phase, String> {
    let world = World::new(
        Config {
            seed: opts.seed,
            echo: opts.echo && index > 0,
            ..Config::default()
        },
        package.clone(),
    );
    let server =
        spawn_server(&world).map_err(|e| format!("starting the simulated server failed: {e}"))?;
    install_harness(&world, server)
        .map_err(|e| format!("installing the spec harness failed: {e}"))?;
    let future = {
        let mut w = world.borrow_mut();
        let f = w.new_future();
        let args = vec![
            Value::String(source.into()),
            Value::String(chunk.into()),
            Value::from(index),
            Value::from(f),
        ];
        w.schedule(
            0.0,
            Wake::Event {
                vm: server,
                name: "runSpec",
                args,
            },
        );
        f
    };
    let deadline = world.borrow().now + TEST_LIMIT;
    run_until(&world, deadline, false, |w| {
        w.futures.get(&future).is_some_and(|f| f.result.is_some())
    });
    let mut w = world.borrow_mut();
    let output = w.vms.first().map(|v| v.output.clone()).unwrap_or_default();
    let errors = std::mem::take(&mut w.errors);
    match w.futures.remove(&future).and_then(|f| f.result) {
        Some((ok, values)) => Ok((ok, values, output, errors)),
        None => {
            let why = if w.next_time().is_some() {
                "the test did not finish within 48 virtual hours"
            } else {
                "the test yielded forever: nothing was left to run"
            };
            Ok((false, vec![Value::String(why.into())], output, errors))
        }
    }
}

/// Runs every test of one spec file.
pub fn run_spec_file(
    package: &Rc<Node>,
    path: &Path,
    opts: &SpecOptions,
) -> Result<Vec<TestResult>, String> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let chunk = path.display().to_string();
    let (ok, values, output, errors) = run_phase(package, &source, &chunk, 0, opts)?;
    if !ok {
        let message = values
            .first()
            .and_then(Value::as_str)
            .unwrap_or("the spec failed to load")
            .to_string();
        return Ok(vec![TestResult {
            name: "(loading the spec file)".into(),
            passed: false,
            message,
            trace: String::new(),
            output,
            errors,
        }]);
    }
    let names: Vec<String> = values
        .first()
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut results = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(f) = &opts.filter {
            if !name.contains(f.as_str()) {
                continue;
            }
        }
        let (passed, values, output, errors) = run_phase(package, &source, &chunk, i + 1, opts)?;
        let text = |k: usize| {
            values
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        results.push(TestResult {
            name: name.clone(),
            passed,
            message: if passed { String::new() } else { text(0) },
            trace: if passed { String::new() } else { text(1) },
            output,
            errors,
        });
    }
    Ok(results)
}

/// Every `*.spec.luau` (or `.spec.lua`) file under `dir`, sorted.
pub fn find_specs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.ends_with(".spec.luau") || f.ends_with(".spec.lua"))
        })
        .collect();
    out.sort();
    out
}

/// The DataModel for runtime development: `runtime` as
/// `ServerScriptService.VirtualStore`, `client` as `ReplicatedStorage.VirtualStoreClient`.
pub fn runtime_package(
    runtime: &Path,
    client: Option<&Path>,
) -> Result<Node, super::mount::MountError> {
    let mut root = Node::folder("game", "DataModel");
    let vs = super::mount::mount_path(runtime, "VirtualStore")?;
    root.child_mut("ServerScriptService", "ServerScriptService")
        .children
        .push(vs);
    if let Some(c) = client.filter(|c| c.exists()) {
        let vc = super::mount::mount_path(c, "VirtualStoreClient")?;
        root.child_mut("ReplicatedStorage", "ReplicatedStorage")
            .children
            .push(vc);
    }
    Ok(root)
}

/// Checks the project, generates its package into a scratch folder and mounts
/// it per the generated `virtualstore.project.json` fragment.
pub fn generated_package(project: &Path) -> Result<Node, String> {
    game_package(project, None, None)
}

/// Like [`generated_package`], with the `VirtualStore` runtime folder replaced
/// by `runtime` when given (to run scenarios against a modified runtime).
pub fn generated_package_with_runtime(
    project: &Path,
    runtime: Option<&Path>,
) -> Result<Node, String> {
    game_package(project, runtime, None)
}

/// The DataModel of a game. Without a Rojo project file: the generated package
/// mounted per its fragment. With one (`rojo`): exactly the place Rojo builds
/// from it, where `$path` entries inside the project's output folder read the
/// package generated for this run (what `vstore build` would write now), so a
/// stale or missing `build/` cannot leak in and a layout Rojo builds wrong is
/// built wrong here too.
pub fn game_package(
    project: &Path,
    runtime: Option<&Path>,
    rojo: Option<&Path>,
) -> Result<Node, String> {
    let checked = match crate::check::check_project(project) {
        Ok(c) => c,
        Err(failed) => {
            for d in failed.diagnostics {
                eprintln!("{:?}", miette::Report::new(d));
            }
            return Err("the project has errors; fix them before testing".into());
        }
    };
    let files = crate::codegen::generate(&checked.project);
    let scratch = scratch_dir();
    crate::codegen::write_files(&files, &scratch)
        .map_err(|e| format!("writing the generated package failed: {e}"))?;
    if let Some(runtime) = runtime {
        replace_runtime(&scratch.join("VirtualStore"), runtime)
            .map_err(|e| format!("replacing the runtime from {}: {e}", runtime.display()))?;
    }
    let mounted = match rojo {
        Some(r) => {
            let redirect = super::mount::Redirect {
                from: project.join(&checked.project.out),
                to: scratch.clone(),
            };
            super::mount::build_project(r, Some(redirect))
        }
        None => super::mount::build_project(&scratch.join(crate::codegen::PROJECT_FRAGMENT), None),
    }
    .map(|mut root| {
        super::mount::strip_chunk_prefix(&mut root, &scratch);
        root
    })
    .map_err(|e| e.to_string());
    std::fs::remove_dir_all(&scratch).ok();
    mounted
}

/// A fresh scratch folder for one generated package (a sweep's workers each
/// build their own, so the name is unique within the process too).
fn scratch_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("vstore-test-{}-{n}", std::process::id()))
}

fn replace_runtime(target: &Path, runtime: &Path) -> std::io::Result<()> {
    std::fs::remove_dir_all(target)?;
    super::mount::copy_tree(runtime, target)
}
