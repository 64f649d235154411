//! `vstore build --watch` prints exactly one stdout line per build, says
//! what it wrote, and rebuilds when a handler changes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn build_watch_prints_one_line_per_build_and_rebuilds_on_a_handler_change() {
    let dir = std::env::temp_dir().join(format!("vstore-watch-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("operations")).unwrap();
    std::fs::write(
        dir.join("virtualstore.toml"),
        "[stores.PlayerData]\nkind = \"players\"\nversion = 1\n\n[stores.PlayerData.template]\nCoins = { type = \"integer\", default = 0 }\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["build", "--watch", "--project"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait = Duration::from_secs(60);
    let first = rx.recv_timeout(wait);
    std::fs::write(dir.join("operations/Grant.luau"), "--!strict\nreturn nil\n").unwrap();
    let second = rx.recv_timeout(wait);
    let _ = child.kill();
    let _ = child.wait();
    let (first, second) = (
        first.expect("initial build line"),
        second.expect("rebuild line"),
    );
    for line in [&first, &second] {
        assert!(
            line.as_bytes()[9] == b']' && line.contains(" ms"),
            "every stdout line is a summary: {line}"
        );
        assert!(
            line.contains(": wrote ") && !line.contains("up to date"),
            "a build that wrote the package says so: {line}"
        );
    }
    assert!(
        first.contains("] built in ") && !first.contains("changed"),
        "the initial build counts no changed files: {first}"
    );
    assert!(second.contains("] rebuilt in "), "{second}");
    assert!(second.contains("(1 file changed)"), "{second}");
    assert!(rx.try_recv().is_err(), "one line per rebuild");
}
