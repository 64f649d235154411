//! The simulated Roblox world around the engine, one test per documented
//! behaviour: the place Rojo 7 builds from a project (create.roblox.com and
//! the Rojo 7 sync documentation), client VMs, and the services a data-heavy
//! game touches (MemoryStoreService, TeleportService, CollectionService, ...).

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::json;
use vstore::sim::mount::{build_project, Node};
use vstore::sim::specs::{game_package, run_spec_file, SpecOptions, TestResult};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn wally_game() -> PathBuf {
    repo().join("tests/fixtures/wally_game")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-world-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The node at a dotted path (`ReplicatedStorage.Packages.Promise`).
fn at<'a>(root: &'a Node, path: &str) -> &'a Node {
    let mut cur = root;
    for part in path.split('/') {
        cur = cur.child(part).unwrap_or_else(|| {
            panic!(
                "no `{part}` in `{}` (path {path}): {:?}",
                cur.name,
                names(cur)
            )
        });
    }
    cur
}

fn names(n: &Node) -> Vec<String> {
    n.children
        .iter()
        .map(|c| format!("{} ({})", c.name, c.class))
        .collect()
}

/// The fixture game's place, with the package generated for the run.
fn wally_tree() -> Node {
    let game = wally_game();
    game_package(&game, None, None, Some(&game.join("default.project.json"))).unwrap()
}

fn run_specs(package: Node, name: &str, body: &str) -> Vec<TestResult> {
    let dir = temp(&format!("spec-{name}"));
    let file = dir.join(format!("{name}.spec.luau"));
    std::fs::write(&file, body).unwrap();
    let results = run_spec_file(
        &Rc::new(package),
        &file,
        &SpecOptions {
            filter: None,
            seed: 7,
            echo: false,
        },
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    results
}

/// Runs `body` (the inside of a `describe`) in a bare world.
fn run(name: &str, body: &str) -> Vec<TestResult> {
    let source = format!(
        "local MSS = game:GetService(\"MemoryStoreService\")\ndescribe(\"{name}\", function()\n{body}\nend)\n"
    );
    run_specs(Node::folder("game", "DataModel"), name, &source)
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

// Rojo 7 project semantics -----------------------------------------------------

#[test]
fn a_path_to_a_folder_with_default_project_json_mounts_that_project_named_after_the_folder() {
    // Rojo: a directory holding default.project.json is that project; the
    // instance takes the folder's name (wally's `_Index/<scope>_<name>@<ver>/<name>`)
    let tree = wally_tree();
    let promise = at(
        &tree,
        "ReplicatedStorage/Packages/_Index/vstorefixtures_promise@1.2.0/promise",
    );
    assert_eq!(promise.class, "ModuleScript");
    assert!(promise.source.as_deref().unwrap().contains("Promise.new"));
    let testkit = at(
        &tree,
        "ReplicatedStorage/Packages/_Index/vstorefixtures_testkit@0.3.1/testkit",
    );
    assert_eq!(testkit.class, "ModuleScript");
    assert_eq!(at(testkit, "Expect").class, "ModuleScript");
    // the link modules wally writes are plain ModuleScripts beside `_Index`
    let link = at(&tree, "ReplicatedStorage/Packages/Promise");
    assert_eq!(link.class, "ModuleScript");
    assert_eq!(
        at(
            &tree,
            "ReplicatedStorage/Packages/_Index/vstorefixtures_testkit@0.3.1/Promise"
        )
        .class,
        "ModuleScript"
    );
}

#[test]
fn a_wally_package_project_runs_unmodified_in_vstore_test() {
    // the fixture game's own server script runs its Testkit suite over the
    // Promise package through the link modules; its spec file checks the
    // report and every Rojo file kind at run time
    let game = wally_game();
    let package =
        game_package(&game, None, None, Some(&game.join("default.project.json"))).unwrap();
    let spec = std::fs::read_to_string(game.join("tests/World.spec.luau")).unwrap();
    let results = run_specs(package, "World", &spec);
    assert_eq!(results.len(), 11, "{results:?}");
    assert_green(&results);
}

#[test]
fn init_server_luau_makes_its_folder_that_script_with_the_other_files_as_children() {
    let tree = wally_tree();
    let greeter = at(&tree, "ServerScriptService/Greeter");
    assert_eq!(greeter.class, "Script");
    assert_eq!(at(greeter, "Words").class, "ModuleScript");
}

#[test]
fn a_meta_json_beside_a_script_sets_its_properties() {
    let tree = wally_tree();
    let quiet = at(&tree, "ServerScriptService/Quiet");
    assert_eq!(quiet.class, "Script");
    assert_eq!(quiet.property("Disabled"), Some(&json!(true)));
    // the meta file itself is no instance
    assert!(tree
        .child("ServerScriptService")
        .unwrap()
        .children
        .iter()
        .all(|c| !c.name.contains("meta")));
}

#[test]
fn project_properties_and_attributes_are_applied_to_the_instance() {
    let tree = wally_tree();
    let round = at(&tree, "ReplicatedStorage/Round");
    assert_eq!(round.class, "IntValue");
    assert_eq!(round.property("Value"), Some(&json!(5)));
    assert!(round
        .attributes
        .contains(&("Mode".to_string(), json!("Classic"))));
    let switched = at(&tree, "ServerScriptService/Switched");
    assert_eq!(switched.class, "Script");
    assert_eq!(switched.property("Disabled"), Some(&json!(true)));
}

#[test]
fn txt_json_toml_and_model_json_files_become_what_rojo_makes_of_them() {
    let tree = wally_tree();
    let motd = at(&tree, "ReplicatedStorage/Shared/Motd");
    assert_eq!(motd.class, "StringValue");
    assert_eq!(
        motd.property("Value"),
        Some(&json!("Welcome to the game!\n"))
    );
    for module in ["Config", "Tuning"] {
        let m = at(&tree, &format!("ReplicatedStorage/Shared/{module}"));
        assert_eq!(m.class, "ModuleScript");
        assert!(m.source.as_deref().unwrap().starts_with("return {"));
    }
    let shop = at(&tree, "ReplicatedStorage/Shared/Shop");
    assert_eq!(shop.class, "Folder");
    assert_eq!(at(shop, "Price").property("Value"), Some(&json!(40)));
    assert_eq!(at(shop, "Buy").class, "RemoteEvent");
}

#[test]
fn init_meta_json_gives_a_folder_its_class_name_and_attributes() {
    let tree = wally_tree();
    let flags = at(&tree, "ReplicatedStorage/Shared/Flags");
    assert_eq!(flags.class, "Configuration");
    assert_eq!(flags.attributes, vec![("Beta".to_string(), json!(true))]);
    assert_eq!(at(flags, "Limit").class, "StringValue");
}

#[test]
fn init_meta_json_cannot_give_a_script_folder_another_class() {
    // Rojo: className in init.meta.json only applies to what would be a Folder
    let dir = temp("meta-class");
    write(&dir, "src/Thing/init.server.luau", "print(1)\n");
    write(
        &dir,
        "src/Thing/init.meta.json",
        r#"{ "className": "Model" }"#,
    );
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel", "ServerScriptService": { "$path": "src" } } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(err.message.contains("className"), "{err}");
}

#[test]
fn duplicate_top_level_services_stay_two_instances_as_rojo_builds_them() {
    // a second ServerScriptService under another name is a second instance of
    // that class, not a merge into the first
    let dir = temp("dup-services");
    write(&dir, "a/One.server.luau", "print(1)\n");
    write(&dir, "b/Two.server.luau", "print(2)\n");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel",
            "ServerScriptService": { "$path": "a" },
            "Extra": { "$className": "ServerScriptService", "$path": "b" } } }"#,
    );
    let tree = build_project(&dir.join("default.project.json"), None).unwrap();
    let services: Vec<(&str, &str)> = tree
        .children
        .iter()
        .map(|c| (c.name.as_str(), c.class.as_str()))
        .collect();
    assert_eq!(
        services,
        [
            ("Extra", "ServerScriptService"),
            ("ServerScriptService", "ServerScriptService")
        ]
    );
    assert!(tree.child("Extra").unwrap().child("Two").is_some());
    assert!(tree
        .child("ServerScriptService")
        .unwrap()
        .child("Two")
        .is_none());
}

#[test]
fn a_class_name_with_a_path_to_a_script_file_is_refused() {
    // Rojo: with both $className and $path, $path must be a folder
    let dir = temp("class-and-file");
    write(&dir, "x.server.luau", "print(1)\n");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel",
            "ServerScriptService": { "X": { "$className": "Folder", "$path": "x.server.luau" } } } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(
        err.message.contains("$path must refer to a folder"),
        "{err}"
    );
}

#[test]
fn a_project_entry_without_class_path_or_service_name_is_refused() {
    let dir = temp("no-class");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel", "NotAService": {} } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(err.message.contains("NotAService"), "{err}");
}

// MemoryStoreService (create.roblox.com: memory stores, hash map, sorted map, queue) --

#[test]
fn memorystore_hash_map_items_expire_after_their_expiration_in_virtual_time() {
    assert_green(&run(
        "hash-expiry",
        r#"
        it("expires", function()
            local map = MSS:GetHashMap("Sessions")
            expect(map:SetAsync("job-1", { alive = true }, 30)).toBe(true)
            task.wait(29)
            expect(map:GetAsync("job-1").alive).toBe(true)
            task.wait(2)
            expect(map:GetAsync("job-1")).toBeNil()
        end)
        "#,
    ));
}

#[test]
fn memorystore_hash_map_is_shared_by_every_server_of_the_experience() {
    assert_green(&run(
        "hash-shared",
        r#"
        it("shares", function()
            local other = sim.startServer()
            other:eval([[game:GetService("MemoryStoreService"):GetHashMap("Live"):SetAsync("a", 7, 60)]])
            expect(MSS:GetHashMap("Live"):GetAsync("a")).toBe(7)
            MSS:GetHashMap("Live"):RemoveAsync("a")
            expect(other:eval([[return game:GetService("MemoryStoreService"):GetHashMap("Live"):GetAsync("a")]])).toBeNil()
        end)
        "#,
    ));
}

#[test]
fn memorystore_update_async_reruns_its_transform_after_a_concurrent_write_and_nil_cancels() {
    assert_green(&run(
        "hash-update",
        r#"
        it("re-runs and cancels", function()
            local map = MSS:GetHashMap("Counters")
            local done = 0
            for _ = 1, 3 do
                task.spawn(function()
                    map:UpdateAsync("n", function(old) return (old or 0) + 1 end, 60)
                    done += 1
                end)
            end
            while done < 3 do task.wait(0.1) end
            expect(map:GetAsync("n")).toBe(3)
            expect(map:UpdateAsync("n", function() return nil end, 60)).toBeNil()
            expect(map:GetAsync("n")).toBe(3)
        end)
        it("refuses a transform that yields", function()
            local ok, err = pcall(function()
                MSS:GetHashMap("Counters"):UpdateAsync("n", function(old) task.wait(1) return 1 end, 60)
            end)
            expect(ok).toBe(false)
            expect(err).toContain("TransformCallbackFailed")
        end)
        "#,
    ));
}

#[test]
fn memorystore_sorted_map_orders_numeric_then_string_sort_keys_then_none_and_ties_by_key() {
    assert_green(&run(
        "sorted-order",
        r#"
        it("orders as documented", function()
            local map = MSS:GetSortedMap("Board")
            expect(map:SetAsync("player0", 1, 60)).toBe(true)
            map:SetAsync("player6", 1, 60, "someString")
            map:SetAsync("player5", 1, 60, 1)
            map:SetAsync("player4", 1, 60, 1)
            map:SetAsync("player3", 1, 60, 3.14)
            map:SetAsync("player1", 1, 60, -1)
            expect(map:SetAsync("player1", 2, 60, -1)).toBe(false)
            local keys = {}
            for _, item in map:GetRangeAsync(Enum.SortDirection.Ascending, 10) do
                table.insert(keys, item.key)
            end
            expect(table.concat(keys, ",")).toBe("player1,player4,player5,player3,player6,player0")
            local top = map:GetRangeAsync(Enum.SortDirection.Descending, 2)
            expect(top[1].key).toBe("player0")
            local above = map:GetRangeAsync(Enum.SortDirection.Ascending, 10, { key = "player4", sortKey = 1 })
            expect(above[1].key).toBe("player5")
            local value, sortKey = map:GetAsync("player3")
            expect(value).toBe(1)
            expect(sortKey).toBe(3.14)
        end)
        "#,
    ));
}

#[test]
fn memorystore_queue_reads_by_priority_hides_read_items_and_removes_them_by_read_id() {
    assert_green(&run(
        "queue",
        r#"
        it("reads, hides and removes", function()
            local q = MSS:GetQueue("Matchmaking", 20)
            q:AddAsync("low", 600, 0)
            q:AddAsync("high", 600, 5)
            q:AddAsync("low2", 600, 0)
            local items, id = q:ReadAsync(2)
            expect(items[1]).toBe("high")
            expect(items[2]).toBe("low")
            -- read items are invisible to other readers until the timeout
            local more = q:ReadAsync(5, false, 0)
            expect(#more).toBe(1)
            expect(more[1]).toBe("low2")
            task.wait(21)
            local again, id2 = q:ReadAsync(5, false, 0)
            expect(#again).toBe(3)
            q:RemoveAsync(id2)
            expect(q:GetSizeAsync()).toBe(0)
            -- an id whose invisibility ran out removes nothing
            expect(id).never.toBe(id2)
        end)
        it("waits for items up to waitTimeout and with allOrNothing reads nothing short", function()
            local q = MSS:GetQueue("Empty")
            local started = sim.now()
            local items, id = q:ReadAsync(1, false, 5)
            expect(#items).toBe(0)
            expect(id).toBeNil()
            expect(sim.now() - started >= 5).toBe(true)
            q:AddAsync("one", 600)
            local none = q:ReadAsync(2, true, 0)
            expect(#none).toBe(0)
        end)
        "#,
    ));
}

#[test]
fn memorystore_request_units_are_limited_to_1000_plus_120_per_user_per_minute() {
    assert_green(&run(
        "request-quota",
        r#"
        it("throttles past the quota and recovers a minute later", function()
            local map = MSS:GetHashMap("Hot")
            for _ = 1, 1000 do
                map:GetAsync("k")
            end
            local ok, err = pcall(map.GetAsync, map, "k")
            expect(ok).toBe(false)
            expect(err).toContain("RequestThrottled")
            task.wait(60)
            expect(pcall(map.GetAsync, map, "k")).toBe(true)
        end)
        it("grows with the experience's players", function()
            sim.addPlayer(1)
            local map = MSS:GetHashMap("Hot")
            for _ = 1, 1120 do
                map:GetAsync("k")
            end
            expect(pcall(map.GetAsync, map, "k")).toBe(false)
        end)
        "#,
    ));
}

#[test]
fn memorystore_memory_quota_is_64_kb_plus_1_2_kb_per_user_and_refuses_only_growth() {
    assert_green(&run(
        "memory-quota",
        r#"
        it("refuses growth past the quota", function()
            local map = MSS:GetHashMap("Big")
            local chunk = string.rep("x", 30 * 1024)
            map:SetAsync("a", chunk, 600)
            map:SetAsync("b", chunk, 600)
            local ok, err = pcall(map.SetAsync, map, "c", chunk, 600)
            expect(ok).toBe(false)
            expect(err).toContain("TotalMemoryOverLimit")
            -- shrinking still succeeds
            expect(map:SetAsync("a", 1, 600)).toBe(true)
            expect(map:SetAsync("c", chunk, 600)).toBe(true)
        end)
        it("makes room for each player who joined", function()
            for id = 1, 30 do sim.addPlayer(id) end
            local map = MSS:GetHashMap("Big")
            local chunk = string.rep("x", 30 * 1024)
            for i = 1, 3 do map:SetAsync("k" .. i, chunk, 600) end
        end)
        "#,
    ));
}

#[test]
fn memorystore_refuses_large_values_bad_expirations_and_client_access_with_its_status_codes() {
    assert_green(&run(
        "validation",
        r#"
        it("refuses", function()
            local map = MSS:GetHashMap("V")
            local ok, err = pcall(map.SetAsync, map, "k", string.rep("x", 33 * 1024), 60)
            expect(err).toContain("ItemValueSizeTooLarge")
            ok, err = pcall(map.SetAsync, map, "k", 1, 3888001)
            expect(err).toContain("InvalidExpirationTime")
            ok, err = pcall(map.SetAsync, map, string.rep("k", 129), 1, 60)
            expect(err).toContain("InvalidRequest")
            ok, err = pcall(map.SetAsync, map, "k", function() end, 60)
            expect(err).toContain("InvalidRequest")
            local player = sim.addPlayer(5)
            local okc, errc = pcall(function()
                sim.client(player):eval([[game:GetService("MemoryStoreService"):GetHashMap("V")]])
            end)
            expect(okc).toBe(false)
            expect(errc).toContain("InvalidClientAccess")
        end)
        "#,
    ));
}

#[test]
fn memorystore_faults_fail_requests_with_internal_error_and_a_partition_cuts_off_one_server() {
    assert_green(&run(
        "faults",
        r#"
        it("fails next, outage and partition", function()
            local map = MSS:GetHashMap("Live")
            sim.memorystore.failNext(1)
            local ok, err = pcall(map.SetAsync, map, "a", 1, 60)
            expect(err).toContain("InternalError")
            expect(map:SetAsync("a", 1, 60)).toBe(true)
            sim.memorystore.outage(10)
            expect(pcall(map.GetAsync, map, "a")).toBe(false)
            task.wait(11)
            expect(map:GetAsync("a")).toBe(1)
            local other = sim.startServer()
            sim.memorystore.partition(30, other)
            expect(pcall(function()
                other:eval([[return game:GetService("MemoryStoreService"):GetHashMap("Live"):GetAsync("a")]])
            end)).toBe(false)
            expect(map:GetAsync("a")).toBe(1)
            expect(sim.memorystore.stats().failures.InternalError).toBe(3)
        end)
        "#,
    ));
}

fn vstore_sim(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vstore"))
        .arg("sim")
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"))
}

#[test]
fn memorystore_faults_of_a_scenario_mix_are_seeded_and_replay_identically() {
    // the fixture game refreshes a liveness entry per server every 10 s
    let args = [
        "--project",
        "tests/fixtures/wally_game",
        "--servers",
        "2",
        "--players",
        "4",
        "--duration",
        "10m",
        "--seed",
        "3",
    ];
    let faulty: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--faults", "ms-errors=0.2,ms-outage=30,ms-partition=60"])
        .collect();
    let a = vstore_sim(&faulty);
    let b = vstore_sim(&faulty);
    assert_eq!(line(&a, "trace hash"), line(&b, "trace hash"));
    assert_eq!(
        line(&a, "MemoryStoreService:"),
        line(&b, "MemoryStoreService:")
    );
    assert!(
        line(&a, "MemoryStoreService:").contains("InternalError"),
        "{a}"
    );
    assert!(
        a.contains("fault mix: ms-errors=0.2,ms-outage=30,ms-partition=60"),
        "{a}"
    );
    let calm = vstore_sim(&args);
    assert!(
        line(&calm, "MemoryStoreService:").ends_with("failures: none"),
        "{calm}"
    );
}

// Client VMs and the classes a HUD creates -------------------------------------------

/// A place with a StarterGui HUD and a StarterPlayerScripts LocalScript.
fn hud_place() -> Node {
    let mut root = Node::folder("game", "DataModel");
    let gui = root.child_mut("StarterGui", "StarterGui");
    let mut screen = Node::folder("Hud", "ScreenGui");
    screen.children.push(Node::script(
        "Show",
        "LocalScript",
        r#"
        local label = Instance.new("TextLabel")
        label.Name = "Coins"
        label.Text = "Coins: 0"
        label.Parent = script.Parent
        script.Parent:SetAttribute("Ran", true)
        "#,
        "Show.client.luau",
    ));
    gui.children.push(screen);
    let sp = root.child_mut("StarterPlayer", "StarterPlayer");
    let sps = sp.child_mut("StarterPlayerScripts", "StarterPlayerScripts");
    sps.children.push(Node::script(
        "Where",
        "LocalScript",
        "script:SetAttribute(\"Parent\", script.Parent.ClassName)\n",
        "Where.client.luau",
    ));
    root
}

#[test]
fn starter_gui_contents_are_copied_into_player_gui_and_their_local_scripts_run_there() {
    let results = run_specs(
        hud_place(),
        "hud",
        r#"
        describe("client", function()
            it("copies StarterGui into PlayerGui", function()
                local player = sim.addPlayer(1)
                sim.wait(1)
                local c = sim.client(player)
                expect(c:eval([[return game:GetService("Players").LocalPlayer.PlayerGui.Hud:GetAttribute("Ran")]])).toBe(true)
                expect(c:eval([[return game:GetService("Players").LocalPlayer.PlayerGui.Hud.Coins.Text]])).toBe("Coins: 0")
                -- the StarterGui original is left alone
                expect(c:eval([[return game:GetService("StarterGui").Hud:FindFirstChild("Coins") == nil]])).toBe(true)
            end)
            it("runs StarterPlayerScripts from the player's PlayerScripts", function()
                local player = sim.addPlayer(2)
                sim.wait(1)
                expect(sim.client(player):eval([[return game:GetService("Players").LocalPlayer.PlayerScripts.Where:GetAttribute("Parent")]])).toBe("PlayerScripts")
            end)
        end)
        "#,
    );
    assert_green(&results);
}

#[test]
fn gui_classes_have_their_default_properties_type_checked_writes_and_changed_events() {
    assert_green(&run(
        "gui-classes",
        r#"
        it("behaves like the class table", function()
            local label = Instance.new("TextLabel")
            expect(label.Text).toBe("")
            expect(label.TextSize).toBe(14)
            expect(label.Visible).toBe(true)
            expect(label:IsA("GuiObject")).toBe(true)
            local changed, textSignal = {}, 0
            label.Changed:Connect(function(p) table.insert(changed, p) end)
            label:GetPropertyChangedSignal("Text"):Connect(function() textSignal += 1 end)
            label.Text = "Coins: 5"
            label.Text = "Coins: 5"
            task.wait()
            expect(textSignal).toBe(1)
            expect(changed[1]).toBe("Text")
            expect(#changed).toBe(1)
            local ok, err = pcall(function() label.Text = 5 end)
            expect(ok).toBe(false)
            expect(err).toContain("Unable to assign property Text. string expected, got number")
            ok, err = pcall(function() label.Colour = 1 end)
            expect(err).toContain("Colour is not a valid member of TextLabel")
            for _, class in { "ScreenGui", "Frame", "TextButton", "ImageLabel", "UIListLayout", "Sound", "BindableEvent", "BindableFunction", "IntValue", "StringValue" } do
                expect(Instance.new(class).ClassName).toBe(class)
            end
            local button = Instance.new("TextButton")
            expect(typeof(button.Activated)).toBe("RBXScriptSignal")
            local sound = Instance.new("Sound")
            sound:Play()
            expect(sound.Playing).toBe(true)
        end)
        it("refuses a class it cannot create", function()
            local ok, err = pcall(Instance.new, "Spaceship")
            expect(ok).toBe(false)
            expect(err).toContain('Unable to create an Instance of type "Spaceship"')
        end)
        "#,
    ));
}

// Engine services ----------------------------------------------------------------------

#[test]
fn collection_service_tags_instances_and_signals_added_and_removed() {
    assert_green(&run(
        "collection",
        r#"
        it("tags", function()
            local CS = game:GetService("CollectionService")
            local seen, gone = 0, 0
            CS:GetInstanceAddedSignal("Coin"):Connect(function() seen += 1 end)
            CS:GetInstanceRemovedSignal("Coin"):Connect(function() gone += 1 end)
            local a = Instance.new("Folder")
            a.Parent = workspace
            CS:AddTag(a, "Coin")
            local b = Instance.new("Folder")
            b:AddTag("Coin")
            task.wait()
            expect(seen).toBe(2)
            -- GetTagged returns only instances in the DataModel
            expect(#CS:GetTagged("Coin")).toBe(1)
            expect(CS:HasTag(b, "Coin")).toBe(true)
            expect(b:GetTags()[1]).toBe("Coin")
            a:RemoveTag("Coin")
            task.wait()
            expect(gone).toBe(1)
            expect(#CS:GetTagged("Coin")).toBe(0)
        end)
        "#,
    ));
}

#[test]
fn debris_destroys_an_item_after_its_lifetime() {
    assert_green(&run(
        "debris",
        r#"
        it("destroys", function()
            local f = Instance.new("Folder")
            f.Parent = workspace
            game:GetService("Debris"):AddItem(f, 3)
            task.wait(2.9)
            expect(f.Parent).toBe(workspace)
            task.wait(0.2)
            expect(f.Parent).toBeNil()
        end)
        "#,
    ));
}

#[test]
fn attributes_accept_only_supported_types_and_valid_names_and_signal_changes() {
    assert_green(&run(
        "attributes",
        r#"
        it("checks", function()
            local f = Instance.new("Folder")
            local fired = 0
            f:GetAttributeChangedSignal("Level"):Connect(function() fired += 1 end)
            f:SetAttribute("Level", 3)
            f:SetAttribute("Level", 3)
            task.wait()
            expect(fired).toBe(1)
            expect(f:GetAttribute("Level")).toBe(3)
            expect(pcall(f.SetAttribute, f, "Bad", {})).toBe(false)
            expect(pcall(f.SetAttribute, f, "has space", 1)).toBe(false)
            expect(pcall(f.SetAttribute, f, "RBXThing", 1)).toBe(false)
            f:SetAttribute("Level", nil)
            expect(f:GetAttribute("Level")).toBeNil()
        end)
        "#,
    ));
}

#[test]
fn wait_for_child_returns_nil_at_its_timeout_and_warns_of_an_infinite_yield_after_5_s() {
    let results = run(
        "wait-for-child",
        r#"
        it("times out", function()
            local started = sim.now()
            expect(workspace:WaitForChild("Nope", 2)).toBeNil()
            expect(sim.now() - started >= 2).toBe(true)
        end)
        it("warns", function()
            task.spawn(function() workspace:WaitForChild("Later") end)
            task.wait(6)
            local f = Instance.new("Folder")
            f.Name = "Later"
            f.Parent = workspace
            task.wait(0.1)
        end)
        "#,
    );
    assert_green(&results);
    let warned = results[1].output.iter().any(|l| {
        l.level == "warn"
            && l.text
                .contains("Infinite yield possible on 'Workspace:WaitForChild(\"Later\")'")
    });
    assert!(warned, "{:?}", results[1].output);
}

#[test]
fn run_service_says_server_on_servers_and_client_on_clients_and_never_studio() {
    let results = run(
        "run-service",
        r#"
        it("knows where it runs", function()
            local RS = game:GetService("RunService")
            expect(RS:IsServer()).toBe(true)
            expect(RS:IsClient()).toBe(false)
            expect(RS:IsStudio()).toBe(false)
            local player = sim.addPlayer(1)
            expect(sim.client(player):eval([[return game:GetService("RunService"):IsClient()]])).toBe(true)
            local beats = 0
            RS.Heartbeat:Connect(function(dt) beats += 1 end)
            task.wait(1)
            expect(beats >= 50).toBe(true)
        end)
        "#,
    );
    assert_green(&results);
}

#[test]
fn teleport_async_moves_players_to_another_server_with_their_teleport_data_as_join_data() {
    assert_green(&run(
        "teleport",
        r#"
        it("moves the player with the data", function()
            local other = sim.startServer([[
                game:GetService("Players").PlayerAdded:Connect(function(p)
                    workspace:SetAttribute("Arrived", p:GetJoinData().TeleportData.from)
                end)
            ]])
            local player = sim.addPlayer(42)
            local left = false
            game:GetService("Players").PlayerRemoving:Connect(function(p)
                if p.UserId == 42 then left = true end
            end)
            local options = Instance.new("TeleportOptions")
            options:SetTeleportData({ from = "lobby" })
            local result = game:GetService("TeleportService"):TeleportAsync(game.PlaceId, { player }, options)
            sim.wait(0.1)
            expect(left).toBe(true)
            expect(game:GetService("Players"):GetPlayerByUserId(42)).toBeNil()
            expect(result.JobId).toBe(other:eval("return game.JobId"))
            sim.wait(1)
            expect(other:eval([[return workspace:GetAttribute("Arrived")]])).toBe("lobby")
            -- a player who joined normally has no teleport data
            local fresh = sim.addPlayer(43)
            expect(fresh:GetJoinData().TeleportData).toBeNil()
        end)
        "#,
    ));
}

#[test]
fn at_shutdown_player_removing_fires_for_every_player_before_bind_to_close_callbacks_run() {
    assert_green(&run(
        "close-order",
        r#"
        it("orders", function()
            local log = {}
            local Players = game:GetService("Players")
            Players.PlayerRemoving:Connect(function(p) table.insert(log, "removing " .. p.UserId) end)
            game:BindToClose(function()
                table.insert(log, "close")
                task.wait(5)
                table.insert(log, "close done")
            end)
            sim.addPlayer(1)
            sim.addPlayer(2)
            sim.shutdown()
            expect(table.concat(log, ",")).toBe("removing 1,removing 2,close,close done")
        end)
        "#,
    ));
}

#[test]
fn scripts_in_a_second_instance_of_a_service_class_do_not_run_and_get_service_returns_the_first() {
    let mut root = Node::folder("game", "DataModel");
    let mut first = Node::folder("Server", "ServerScriptService");
    first.children.push(Node::script(
        "A",
        "Script",
        "workspace:SetAttribute(\"A\", true)\n",
        "A.server.luau",
    ));
    let mut second = Node::folder("ServerScriptService", "ServerScriptService");
    second.children.push(Node::script(
        "B",
        "Script",
        "workspace:SetAttribute(\"B\", true)\n",
        "B.server.luau",
    ));
    root.children.push(first);
    root.children.push(second);
    assert_green(&run_specs(
        root,
        "dup-run",
        r#"
        describe("duplicate services", function()
            it("runs only the service's scripts", function()
                sim.wait(1)
                expect(workspace:GetAttribute("A")).toBe(true)
                expect(workspace:GetAttribute("B")).toBeNil()
                local service = game:GetService("ServerScriptService")
                expect(service.Name).toBe("Server")
                expect(service:FindFirstChild("A")).never.toBeNil()
            end)
        end)
        "#,
    ));
}
