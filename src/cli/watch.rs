//! `vstore build --watch`: polls the schema, its migrations and its handlers
//! and rebuilds on change, printing one summary line per build on stdout
//! (diagnostics on stderr). Runs beside
//! `rojo serve`, which picks up the rewritten package. Polling (not OS events)
//! keeps it dependency-free and identical on every platform.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::build::BuildArgs;
use super::Outcome;

/// How often the inputs are polled.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// What a project's build depends on, relative to its root.
const WATCHED: &[&str] = &["virtualstore.toml", "migrations", "operations"];

/// Path, modification time and length of every watched file.
pub type Fingerprint = Vec<(PathBuf, Option<SystemTime>, u64)>;

pub fn fingerprint(root: &Path) -> Fingerprint {
    let mut out = Vec::new();
    for name in WATCHED {
        for entry in walkdir::WalkDir::new(root.join(name))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                if meta.is_file() {
                    out.push((entry.path().to_path_buf(), meta.modified().ok(), meta.len()));
                }
            }
        }
    }
    out
}

/// `HH:MM:SS` (UTC) for the summary lines.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// One line describing a build: its outcome, duration and, for a rebuild,
/// how many watched files changed (`None` for the initial build).
pub fn summary_line(
    result: &Result<String, String>,
    took: Duration,
    changed: Option<usize>,
) -> String {
    let ms = took.as_millis();
    let (built, failed) = match changed {
        None => ("built".to_string(), "".to_string()),
        Some(1) => ("rebuilt".to_string(), " (1 file changed)".to_string()),
        Some(n) => ("rebuilt".to_string(), format!(" ({n} files changed)")),
    };
    match result {
        Ok(what) => format!("[{}] {built} in {ms} ms{failed}: {what}", clock()),
        Err(why) => {
            let first = why
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("build failed")
                .trim();
            format!("[{}] build failed after {ms} ms{failed}: {first}", clock())
        }
    }
}

fn changed_count(old: &Fingerprint, new: &Fingerprint) -> usize {
    let added_or_changed = new.iter().filter(|n| !old.contains(n)).count();
    let removed = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.0 == o.0))
        .count();
    added_or_changed + removed
}

/// `vstore build --watch`: builds, then rebuilds on every change of the
/// inputs until interrupted. Each build prints exactly one line on stdout;
/// diagnostics go to stderr.
pub fn run_build(args: &BuildArgs) -> Outcome {
    let once = BuildArgs {
        watch: false,
        ..args.clone()
    };
    eprintln!(
        "watching {} for changes (Ctrl-C to stop)",
        args.project.display()
    );
    run(
        &args.project,
        POLL_INTERVAL,
        || {
            super::build::build(&once)
                .map_err(|_| "the project does not build; diagnostics above".to_string())
        },
        || true,
    );
    Outcome::Ok
}

/// Builds once, then rebuilds whenever the watched inputs change, until
/// `keep_going` returns false. `rebuild` returns a short summary or an error.
pub fn run(
    root: &Path,
    interval: Duration,
    mut rebuild: impl FnMut() -> Result<String, String>,
    mut keep_going: impl FnMut() -> bool,
) {
    let mut last = fingerprint(root);
    let start = Instant::now();
    let first = rebuild();
    println!("{}", summary_line(&first, start.elapsed(), None));
    let _ = std::io::stdout().flush();
    while keep_going() {
        std::thread::sleep(interval);
        let now = fingerprint(root);
        if now == last {
            continue;
        }
        let changed = changed_count(&last, &now);
        last = now;
        let start = Instant::now();
        let result = rebuild();
        println!("{}", summary_line(&result, start.elapsed(), Some(changed)));
        let _ = std::io::stdout().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::fs;

    #[test]
    fn a_handler_edit_triggers_exactly_one_rebuild() {
        let root = std::env::temp_dir().join(format!("vstore-watch-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("operations")).unwrap();
        fs::write(root.join("virtualstore.toml"), "").unwrap();
        fs::write(root.join("operations/Grant.luau"), "return 1").unwrap();

        let builds = Cell::new(0);
        let polls = Cell::new(0);
        run(
            &root,
            Duration::from_millis(1),
            || {
                builds.set(builds.get() + 1);
                Ok("ok".into())
            },
            || {
                polls.set(polls.get() + 1);
                if polls.get() == 2 {
                    // Same length, new contents: the mtime or size must differ.
                    fs::write(root.join("operations/Grant.luau"), "return 22").unwrap();
                }
                polls.get() < 6
            },
        );
        assert_eq!(builds.get(), 2, "initial build plus one rebuild");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn unrelated_files_do_not_trigger_rebuilds() {
        let root = std::env::temp_dir().join(format!("vstore-watch-quiet-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("build")).unwrap();
        fs::write(root.join("virtualstore.toml"), "").unwrap();
        let before = fingerprint(&root);
        fs::write(root.join("build/Out.luau"), "return 1").unwrap();
        assert_eq!(before, fingerprint(&root));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn initial_build_line_counts_no_changed_files() {
        let line = summary_line(&Ok("wrote 3 files to build".into()), Duration::ZERO, None);
        assert!(
            line.ends_with("] built in 0 ms: wrote 3 files to build"),
            "{line}"
        );
    }

    #[test]
    fn failed_rebuild_summary_shows_the_first_error_line() {
        let line = summary_line(
            &Err("\nerror[VS001]: bad type\n  more".into()),
            Duration::from_millis(12),
            Some(1),
        );
        assert!(
            line.ends_with("build failed after 12 ms (1 file changed): error[VS001]: bad type"),
            "{line}"
        );
    }
}
