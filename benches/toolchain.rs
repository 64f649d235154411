//! Times `check` and `build` of `schema-examples/advanced` (the target is
//! under 50 ms each), of a generated 5 MB schema (the target is under 1 s
//! each: both are linear in the schema), and of the degenerate inputs a
//! careless or hostile schema holds: a 20,000-segment template path, a chain
//! of 20,000 named types and a template 120 levels deep (each must be refused
//! quickly with one diagnostic). Run with
//! `cargo bench --bench toolchain [-- ITERATIONS] [example|large|limits]`
//! (the last argument picks one group; all run by default).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Milliseconds per run of `f`, averaged over `iterations`.
fn time(iterations: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(iterations)
}

fn build(root: &Path, out: &Path) {
    let checked = vstore::check::check_project(root).expect("the project checks");
    let files = vstore::codegen::generate_with_history(
        &checked.project,
        &vstore::cli::build::history(&checked.lock),
    );
    vstore::codegen::write_files(&files, out).expect("package writes");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A valid schema of about `bytes` bytes: named types, stores with
/// thousands of fields in groups, public paths, operations and leaderboards.
fn large_schema(root: &Path, bytes: usize) {
    let mut s = String::from("[project]\nout = \"build\"\n\n[types]\n");
    for i in 0..200 {
        writeln!(
            s,
            "Item{i} = \"{{ Id: string, Count: integer, Tags: {{string}}, Rank: \\\"A\\\" | \\\"B\\\" | \\\"C\\\" }}\""
        )
        .unwrap();
    }
    for i in 0..200 {
        writeln!(s, "Bag{i} = \"{{[string]: Item{i}}}\"").unwrap();
    }
    std::fs::create_dir_all(root.join("operations")).unwrap();
    let mut store = 0;
    while s.len() < bytes {
        let name = format!("Store{store}");
        writeln!(
            s,
            "\n[stores.{name}]\nkind = \"keyed\"\nversion = 1\nsettings = {{ AutoSaveInterval = 60, LeaseTimeout = 180 }}\n\n[stores.{name}.template]"
        )
        .unwrap();
        let fields = 4000;
        for f in 0..fields {
            let group = f / 50;
            match f % 4 {
                0 => writeln!(s, "\"Group{group}.Coins{f}\" = {{ type = \"integer\", default = 0, min = 0, max = 1000000 }}"),
                1 => writeln!(s, "\"Group{group}.Name{f}\" = {{ type = \"string\", default = \"\", maxLength = 32 }}"),
                2 => writeln!(s, "\"Group{group}.Items{f}\" = {{ type = \"{{Item{}}}\", default = [] }}", f % 200),
                _ => writeln!(s, "\"Group{group}.Bag{f}\" = {{ type = \"Bag{}\", default = {{}} }}", f % 200),
            }
            .unwrap();
        }
        let public: Vec<String> = (0..fields)
            .step_by(3)
            .map(|f| {
                format!(
                    "\"Group{}.{}{f}\"",
                    f / 50,
                    ["Coins", "Name", "Items", "Bag"][f % 4]
                )
            })
            .collect();
        writeln!(
            s,
            "\n[stores.{name}.public]\npaths = [{}]",
            public.join(", ")
        )
        .unwrap();
        for op in 0..40 {
            let f = op * 4;
            writeln!(
                s,
                "\n[stores.{name}.operations.Grant{op}]\npayload = \"{{ Coins: integer, Reason: string? }}\"\nwrites = [\"Group{}.Coins{f}\"]\nfile = \"operations/Grant.luau\"",
                f / 50
            )
            .unwrap();
        }
        for board in 0..5 {
            let f = board * 4;
            writeln!(
                s,
                "\n[stores.{name}.leaderboards.Top{store}x{board}]\npath = \"Group{}.Coins{f}\"",
                f / 50
            )
            .unwrap();
        }
        store += 1;
    }
    std::fs::write(root.join("virtualstore.toml"), s).unwrap();
    std::fs::write(
        root.join("operations/Grant.luau"),
        "return function(profile, payload)\n\treturn payload.Coins\nend\n",
    )
    .unwrap();
}

const HEADER: &str = "[stores.S]\nkind = \"keyed\"\nversion = 1\n\n[stores.S.template]\nName = { type = \"string\", default = \"\" }\n";

/// Times `vstore check` of a schema it must refuse, with the codes it gave.
fn refused(iterations: u32, name: &str, text: &str) -> (f64, Vec<&'static str>) {
    let root = scratch(name);
    std::fs::write(root.join("virtualstore.toml"), text).unwrap();
    let mut codes = Vec::new();
    let ms = time(iterations, || {
        let failed = vstore::check::check_project(&root).expect_err("refused");
        codes = failed.diagnostics.iter().map(|d| d.code).collect();
    });
    let _ = std::fs::remove_dir_all(&root);
    (ms, codes)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iterations: u32 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50);
    let group = |name: &str| {
        let picked: Vec<&String> = args
            .iter()
            .filter(|a| ["example", "large", "limits"].contains(&a.as_str()))
            .collect();
        picked.is_empty() || picked.iter().any(|a| *a == name)
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-examples/advanced");
    let out = scratch("out");

    if group("example") {
        let check_ms = time(iterations, || {
            vstore::check::check_project(&root).expect("advanced example checks");
        });
        let build_ms = time(iterations, || build(&root, &out));
        println!("check  schema-examples/advanced: {check_ms:.2} ms per run ({iterations} runs)");
        println!("build  schema-examples/advanced: {build_ms:.2} ms per run ({iterations} runs)");
    }
    let runs = iterations.clamp(1, 5);
    if group("large") {
        large_group(runs, &out);
    }
    if group("limits") {
        limits_group(runs);
    }
    let _ = std::fs::remove_dir_all(&out);
}

fn large_group(runs: u32, out: &Path) {
    let large = scratch("large");
    large_schema(&large, 5 * 1024 * 1024);
    let size = std::fs::metadata(large.join("virtualstore.toml"))
        .unwrap()
        .len();
    let check_ms = time(runs, || {
        vstore::check::check_project(&large).expect("the large schema checks");
    });
    let build_ms = time(runs, || build(&large, out));
    let mb = size as f64 / (1024.0 * 1024.0);
    println!("check  generated {mb:.1} MB schema: {check_ms:.0} ms per run ({runs} runs)");
    println!("build  generated {mb:.1} MB schema: {build_ms:.0} ms per run ({runs} runs)");
    let _ = std::fs::remove_dir_all(&large);
}

fn limits_group(runs: u32) {
    let path = vec!["A"; 20_000].join(".");
    let (ms, codes) = refused(
        runs,
        "long-path",
        &format!("{HEADER}\"{path}\" = {{ type = \"integer\", default = 0 }}\n\n[stores.S.public]\npaths = [\"{path}\"]\n"),
    );
    println!("check  20,000-segment template path: {ms:.1} ms, refused with {codes:?}");

    let mut chain = String::from("[types]\n");
    for i in 0..20_000 {
        writeln!(chain, "T{i} = \"T{}\"", i + 1).unwrap();
    }
    chain.push_str("T20000 = \"integer\"\n\n");
    let (ms, codes) = refused(
        runs,
        "alias-chain",
        &format!("{chain}{HEADER}Coins = {{ type = \"T0\", default = 0 }}\n"),
    );
    println!("check  20,000-name type chain: {ms:.1} ms, refused with {codes:?}");

    let deep = vec!["L"; 120].join(".");
    let (ms, codes) = refused(
        runs,
        "deep",
        &format!("{HEADER}\"{deep}\" = {{ type = \"integer\", default = 0 }}\n"),
    );
    println!("check  template 120 levels deep: {ms:.1} ms, refused with {codes:?}");
}
