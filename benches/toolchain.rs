//! Times `check` and `build` of `schema-examples/advanced` (the target is
//! under 50 ms each). Run with `cargo bench --bench toolchain [-- ITERATIONS]`.

use std::path::Path;
use std::time::Instant;

fn main() {
    let iterations: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-examples/advanced");
    let out = std::env::temp_dir().join(format!("vstore-bench-{}", std::process::id()));

    let start = Instant::now();
    for _ in 0..iterations {
        vstore::check::check_project(&root).expect("advanced example checks");
    }
    let check_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(iterations);

    let start = Instant::now();
    for _ in 0..iterations {
        let checked = vstore::check::check_project(&root).expect("advanced example checks");
        let lock = vstore::schema::lock::read(&root).expect("lock reads");
        let files = vstore::codegen::generate_with_history(
            &checked.project,
            &vstore::cli::build::history(&lock),
        );
        vstore::codegen::write_files(&files, &out).expect("package writes");
    }
    let build_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(iterations);
    let _ = std::fs::remove_dir_all(&out);

    println!("check  schema-examples/advanced: {check_ms:.2} ms per run ({iterations} runs)");
    println!("build  schema-examples/advanced: {build_ms:.2} ms per run ({iterations} runs)");
}
