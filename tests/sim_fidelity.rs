//! Engine behaviour the simulator must share with Roblox, one test per
//! documented behaviour (each names the engine reference it follows), run as
//! Luau specs in the simulator.

use std::rc::Rc;

use vstore::sim::mount::Node;
use vstore::sim::specs::{run_spec_file, SpecOptions, TestResult};

fn run(name: &str, body: &str) -> Vec<TestResult> {
    let dir = std::env::temp_dir().join(format!("vstore-fidelity-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.spec.luau"));
    let source = format!("describe(\"{name}\", function()\n{body}\nend)\n");
    std::fs::write(&file, source).unwrap();
    let package = Rc::new(Node::folder("game", "DataModel"));
    let results = run_spec_file(
        &package,
        &file,
        &SpecOptions {
            filter: None,
            seed: 3,
            echo: false,
        },
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    results
}

fn assert_green(results: &[TestResult]) {
    assert!(!results.is_empty(), "no tests ran");
    for r in results {
        assert!(
            r.passed,
            "{} failed: {}\n{}\n{:?}",
            r.name, r.message, r.trace, r.errors
        );
    }
}

/// Engine reference, global `wait`: "Returns the actual time yielded (in
/// seconds) and the total time since the software was initialized".
#[test]
fn wait_returns_the_time_yielded_and_the_elapsed_time() {
    assert_green(&run(
        "wait",
        r#"
        it("returns two numbers", function()
            local yielded, total = wait(0.5)
            expect(yielded >= 0.5).toBe(true)
            expect(type(total)).toBe("number")
            expect(total >= yielded).toBe(true)
        end)
        "#,
    ));
}

/// Engine reference, globals: `shared` is "a table that is shared across all
/// scripts that share the same execution context level", like `_G`.
#[test]
fn the_shared_global_is_a_table() {
    assert_green(&run(
        "shared",
        r#"
        it("exists", function()
            expect(type(shared)).toBe("table")
            shared.x = 1
            expect(shared.x).toBe(1)
        end)
        "#,
    ));
}

/// Roblox locks the metatables of engine objects: `getmetatable` on an
/// Instance returns the string "The metatable is locked", and `setmetatable`
/// on it fails (Luau `__metatable` field semantics).
#[test]
fn instance_metatables_are_locked() {
    assert_green(&run(
        "locked",
        r#"
        it("getmetatable(game) is the lock message", function()
            expect(getmetatable(game)).toBe("The metatable is locked")
            expect(getmetatable(Instance.new("Folder"))).toBe("The metatable is locked")
        end)
        "#,
    ));
}

/// Engine reference, TestService: `Message`, `Warn`, `Error`, `Check`,
/// `Checkpoint` and `Done` report to the output; `Check(condition, text)`
/// reports a failure when the condition is false.
#[test]
fn test_service_reports_through_its_methods() {
    assert_green(&run(
        "testservice",
        r#"
        it("has the documented methods", function()
            local TS = game:GetService("TestService")
            TS:Message("hello")
            TS:Warn(true, "fine")
            TS:Checkpoint("here")
            TS:Check(true, "passes")
            TS:Done()
            expect(type(TS.Message)).toBe("function")
            expect(type(TS.Error)).toBe("function")
            expect(TS.NumberOfPasses).toBe(1)
        end)
        "#,
    ));
}

/// Engine reference, Player:Kick: it disconnects the player from the server;
/// a player who has already left has nothing to disconnect, so nothing
/// happens (the stricter reading: no output, no second PlayerRemoving).
#[test]
fn kicking_a_player_who_left_does_nothing() {
    assert_green(&run(
        "kick",
        r#"
        it("is silent after leaving", function()
            local Players = game:GetService("Players")
            local removing = 0
            Players.PlayerRemoving:Connect(function()
                removing += 1
            end)
            sim.addPlayer(10)
            task.wait(0.1)
            local p = Players:GetPlayerByUserId(10)
            p:Kick("bye")
            task.wait(0.1)
            expect(removing).toBe(1)
            p:Kick("again")
            task.wait(0.1)
            expect(removing).toBe(1)
        end)
        "#,
    ));
}
