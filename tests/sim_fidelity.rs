//! Engine behaviour the simulator must share with Roblox, one test per
//! documented behaviour (each names the engine reference it follows), run as
//! Luau specs in the simulator.

use std::rc::Rc;

use vstore::sim::mount::Node;
use vstore::sim::specs::{run_spec_file, SpecOptions, TestResult};

fn run(name: &str, body: &str) -> Vec<TestResult> {
    run_in(Node::folder("game", "DataModel"), name, body)
}

fn run_in(package: Node, name: &str, body: &str) -> Vec<TestResult> {
    let dir = std::env::temp_dir().join(format!("vstore-fidelity-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.spec.luau"));
    let source = format!("describe(\"{name}\", function()\n{body}\nend)\n");
    std::fs::write(&file, source).unwrap();
    let package = Rc::new(package);
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

/// Engine reference, datatypes `Vector3`, `Vector2`, `Color3`, `UDim`,
/// `UDim2`, `NumberRange`, `BrickColor` and `CFrame`: constructors, read-only
/// properties ("X cannot be assigned to"), component-wise equality,
/// arithmetic, `typeof` naming the datatype and `tostring` listing the
/// components.
#[test]
fn value_datatypes_are_immutable_values_named_by_typeof() {
    assert_green(&run(
        "datatypes",
        r##"
        it("Vector3 and Vector2 compute and compare by value", function()
            local v = Vector3.new(1, 2, 3) + Vector3.new(1, 1, 1) * 2
            expect(typeof(v)).toBe("Vector3")
            expect(v == Vector3.new(3, 4, 5)).toBe(true)
            expect(v.Magnitude).toBe(math.sqrt(50))
            expect(tostring(Vector3.new(1, 2, 3))).toBe("1, 2, 3")
            expect(Vector3.new(1, 0, 0):Dot(Vector3.yAxis)).toBe(0)
            expect(typeof(Vector2.new(1, 2) - Vector2.one)).toBe("Vector2")
            expect(Vector3.new().X).toBe(0)
        end)
        it("values are read-only and name unknown members", function()
            local v = Vector3.new(1, 2, 3)
            local ok, err = pcall(function()
                (v :: any).X = 5
            end)
            expect(ok).toBe(false)
            expect(string.find(tostring(err), "X cannot be assigned to", 1, true) ~= nil).toBe(true)
            local ok2, err2 = pcall(function()
                return (v :: any).W
            end)
            expect(ok2).toBe(false)
            expect(string.find(tostring(err2), "W is not a valid member of Vector3", 1, true) ~= nil).toBe(true)
            expect(getmetatable(v :: any)).toBe("The metatable is locked")
        end)
        it("GUI values: UDim2, Color3, NumberRange, BrickColor, CFrame", function()
            local size = UDim2.fromOffset(240, 48)
            expect(typeof(size)).toBe("UDim2")
            expect(size.X.Offset).toBe(240)
            expect(size.Y.Scale).toBe(0)
            expect(typeof(size.X)).toBe("UDim")
            expect(tostring(UDim2.new(0.5, 10, 1, -4))).toBe("{0.5, 10}, {1, -4}")
            expect(UDim2.fromScale(1, 1) == UDim2.new(1, 0, 1, 0)).toBe(true)
            local red = Color3.fromRGB(255, 0, 0)
            expect(typeof(red)).toBe("Color3")
            expect(red.R).toBe(1)
            expect(red:ToHex()).toBe("FF0000")
            expect(Color3.fromHex("#00FF00") == Color3.new(0, 1, 0)).toBe(true)
            local range = NumberRange.new(2)
            expect(range.Min).toBe(2)
            expect(range.Max).toBe(2)
            expect(typeof(BrickColor.new("Bright red"))).toBe("BrickColor")
            expect(BrickColor.new("Bright red").Number).toBe(21)
            local cf = CFrame.new(1, 2, 3)
            expect(typeof(cf)).toBe("CFrame")
            expect(cf.Position == Vector3.new(1, 2, 3)).toBe(true)
        end)
        it("constructors check their argument types", function()
            local ok = pcall(function()
                return Vector3.new("a" :: any, 1, 2)
            end)
            expect(ok).toBe(false)
        end)
        "##,
    ));
}

/// Engine reference, `GlobalDataStore:SetAsync`/`UpdateAsync` and the data
/// store error codes: values must be JSON-representable; storing an engine
/// object (an Instance, a `DateTime`, a `Vector3`) fails with error 104
/// instead of storing something else.
#[test]
fn data_stores_refuse_engine_objects_with_error_104() {
    assert_green(&run(
        "storable",
        r#"
        it("refuses Instances, DateTime and Vector3, stores plain data", function()
            local store = game:GetService("DataStoreService"):GetDataStore("Fidelity")
            for _, value in { Instance.new("Folder"), DateTime.now(), Vector3.new(1, 2, 3) } do
                local ok, err = pcall(function()
                    store:SetAsync("k", { Nested = { value } })
                end)
                expect(ok).toBe(false)
                expect(string.sub(tostring(err), 1, 4)).toBe("104:")
                local ok2, err2 = pcall(function()
                    store:UpdateAsync("k", function()
                        return value
                    end)
                end)
                expect(ok2).toBe(false)
                expect(string.sub(tostring(err2), 1, 4)).toBe("104:")
            end
            store:SetAsync("k", { Coins = 5 })
            expect(store:GetAsync("k").Coins).toBe(5)
        end)
        "#,
    ));
}

/// Engine reference, `typeof`: "This function should be used instead of type
/// for Roblox types"; `type` of a Roblox object is "userdata". Instances,
/// DataStoreKeyInfo, DataStorePages, options objects, DateTime, EnumItem,
/// Enum, RBXScriptSignal/Connection, Random and value datatypes are userdata
/// whose `typeof` names their type.
#[test]
fn engine_objects_are_userdata_named_by_typeof() {
    assert_green(&run(
        "userdata",
        r#"
        it("type says userdata and typeof the Roblox type", function()
            local store = game:GetService("DataStoreService"):GetDataStore("Kinds")
            store:SetAsync("k", 1)
            local _, info = store:GetAsync("k")
            local pages = store:ListVersionsAsync("k")
            local conn = game.Changed:Connect(function() end)
            local cases = {
                { game, "Instance" },
                { Instance.new("Folder"), "Instance" },
                { store, "Instance" },
                { info, "Instance" },
                { pages, "Instance" },
                { Instance.new("DataStoreSetOptions"), "Instance" },
                { DateTime.now(), "DateTime" },
                { Enum.SortDirection.Ascending, "EnumItem" },
                { Enum.SortDirection, "Enum" },
                { game.Changed, "RBXScriptSignal" },
                { conn, "RBXScriptConnection" },
                { Random.new(1), "Random" },
                { Vector3.new(1, 2, 3), "Vector3" },
                { UDim2.new(0, 1, 0, 2), "UDim2" },
            }
            for _, case in cases do
                expect(type(case[1])).toBe("userdata")
                expect(typeof(case[1])).toBe(case[2])
            end
            expect(info.Version ~= nil).toBe(true)
            expect(info:GetMetadata()).toEqual({})
            conn:Disconnect()
            expect(conn.Connected).toBe(false)
        end)
        "#,
    ));
}

/// Engine reference, Instance: indexing a member a class does not have raises
/// "<Name> is not a valid member of <Class> \"<FullName>\""; an Instance is
/// not a table, so `pairs`, `next`, `rawget`, `#` and generalized iteration
/// over it raise instead of exposing anything; `tostring` of an Instance is
/// its Name, of an EnumItem its full path, of a connection "Connection", of
/// an Instance's event "Signal <Event>";
/// Instances compare by identity, DateTimes by their time.
#[test]
fn engine_objects_index_print_compare_and_refuse_iteration_as_on_roblox() {
    assert_green(&run(
        "members",
        r#"
        local function raises(f, text)
            local ok, err = pcall(f)
            expect(ok).toBe(false)
            if text then
                expect(string.find(tostring(err), text, 1, true) ~= nil).toBe(true)
            end
            return tostring(err)
        end
        it("a missing member names the class and the instance", function()
            local ws = game:GetService("Workspace")
            raises(function()
                return (ws :: any).Nope
            end, 'Nope is not a valid member of Workspace "Workspace"')
            local store = game:GetService("DataStoreService"):GetDataStore("Members")
            store:SetAsync("k", 1)
            local _, info = store:GetAsync("k")
            raises(function()
                return info.Nope
            end, 'Nope is not a valid member of DataStoreKeyInfo')
            raises(function()
                info.Version = "x"
            end, "Version cannot be assigned to")
            raises(function()
                return (DateTime.now() :: any).Nope
            end, "Nope is not a valid member of DateTime")
            raises(function()
                return (Enum.SortDirection :: any).Sideways
            end, 'Sideways is not a valid member of "Enum.SortDirection"')
            -- the message comes from the indexing line, not from the engine
            local err = raises(function()
                return (ws :: any).Nope
            end)
            expect(string.find(err, "engine", 1, true)).toBeNil()
        end)
        it("an Instance is not iterable, measurable or a raw table", function()
            local folder = Instance.new("Folder")
            Instance.new("Folder").Parent = folder
            -- Luau's messages name the Roblox type, as on Roblox
            raises(function()
                for _ in pairs(folder :: any) do
                end
            end, "table expected, got Instance")
            raises(function()
                for _ in folder :: any do
                end
            end, "attempt to iterate over a Instance value")
            raises(function()
                return (Vector3.new(1, 2, 3) :: any) .. "x"
            end, "attempt to concatenate Vector3 with string")
            raises(function()
                return next(folder :: any)
            end)
            raises(function()
                return rawget(folder :: any, "Name")
            end)
            raises(function()
                return #(folder :: any)
            end)
            raises(function()
                return setmetatable(folder :: any, {})
            end)
        end)
        it("tostring and equality", function()
            local folder = Instance.new("Folder")
            folder.Name = "Bag"
            expect(tostring(folder)).toBe("Bag")
            expect(tostring(Enum.SortDirection.Descending)).toBe("Enum.SortDirection.Descending")
            expect(tostring(game.Changed:Connect(function() end))).toBe("Connection")
            expect(tostring(folder.ChildAdded)).toBe("Signal ChildAdded")
            expect(folder == folder).toBe(true)
            expect(Instance.new("Folder") == Instance.new("Folder")).toBe(false)
            expect(DateTime.fromUnixTimestamp(5) == DateTime.fromUnixTimestampMillis(5000)).toBe(true)
            expect(DateTime.fromUnixTimestamp(5) < DateTime.fromUnixTimestamp(6)).toBe(true)
            expect(Enum.SortDirection.Ascending == Enum.SortDirection.Ascending).toBe(true)
            expect(Enum.SortDirection.Ascending.EnumType == Enum.SortDirection).toBe(true)
            expect(#Enum.SortDirection:GetEnumItems()).toBe(2)
        end)
        "#,
    ));
}

/// Engine reference, globals `_G` and `shared`: they are the tables shared by
/// the scripts of one execution context; each Script and ModuleScript runs
/// with an environment of its own, so a global one script assigns is not a
/// global of another. A ModuleScript runs once per VM and `require` returns
/// its cached result.
#[test]
fn each_script_has_its_own_globals_and_only_g_and_shared_are_shared() {
    let mut root = Node::folder("game", "DataModel");
    let sss = root.child_mut("ServerScriptService", "ServerScriptService");
    sss.children.push(Node::script(
        "Writer",
        "Script",
        "Leaked = 1\n_G.Published = 2\nshared.Also = 3\nscript:SetAttribute(\"Seen\", Leaked)\n",
        "Writer.server.luau",
    ));
    let rs = root.child_mut("ReplicatedStorage", "ReplicatedStorage");
    rs.children.push(Node::script(
        "Counter",
        "ModuleScript",
        "ModuleGlobal = true\n_G.Loads = (_G.Loads or 0) + 1\nreturn { Seen = ModuleGlobal }\n",
        "Counter.luau",
    ));
    assert_green(&run_in(
        root,
        "globals",
        r#"
        it("a global of another script is not visible", function()
            task.wait(0.1)
            local writer = game:GetService("ServerScriptService").Writer
            expect(writer:GetAttribute("Seen")).toBe(1)
            expect(Leaked).toBeNil()
            expect(_G.Published).toBe(2)
            expect(Published).toBeNil()
            expect(shared.Also).toBe(3)
        end)
        it("a module has its own globals and runs once", function()
            local module = game:GetService("ReplicatedStorage").Counter
            local a = require(module)
            local b = require(module)
            expect(a == b).toBe(true)
            expect(a.Seen).toBe(true)
            expect(ModuleGlobal).toBeNil()
            expect(_G.Loads).toBe(1)
        end)
        "#,
    ));
}

/// Luau: metamethods and callbacks of library functions are not yieldable
/// ("attempt to yield across metamethod/C-call boundary"), and Roblox calls
/// an UpdateAsync transform function without letting it yield. The emulated
/// yielding calls (`task.wait`, `wait`, DataStore requests, `Signal:Wait`)
/// check `coroutine.isyieldable()` and raise that error before waiting;
/// `coroutine.isyieldable()` is false inside a transform.
#[test]
fn yielding_where_roblox_forbids_it_raises_the_yield_boundary_error() {
    assert_green(&run(
        "yields",
        r#"
        local TEXT = "attempt to yield across metamethod/C-call boundary"
        it("inside a metamethod", function()
            local t = setmetatable({}, { __index = function()
                task.wait(1)
                return 1
            end })
            local ok, err = pcall(function()
                return t.x
            end)
            expect(ok).toBe(false)
            expect(string.find(tostring(err), TEXT, 1, true) ~= nil).toBe(true)
            -- the thread was not scheduled by the refused wait and goes on normally
            expect(task.wait(0.2) >= 0.2).toBe(true)
        end)
        it("inside a callback of a library function (a C-call boundary)", function()
            local ok, err = pcall(function()
                table.sort({ 3, 1, 2 }, function(a, b)
                    task.wait()
                    return a < b
                end)
            end)
            expect(ok).toBe(false)
            expect(string.find(tostring(err), TEXT, 1, true) ~= nil).toBe(true)
        end)
        it("inside an UpdateAsync transform", function()
            local store = game:GetService("DataStoreService"):GetDataStore("Yields")
            store:SetAsync("k", 1)
            local yieldable
            for _, body in { function() task.wait(1) end, function() wait() end, function() store:GetAsync("other") end } do
                local ok, err = pcall(function()
                    store:UpdateAsync("k", function(v)
                        yieldable = coroutine.isyieldable()
                        body()
                        return v + 1
                    end)
                end)
                expect(ok).toBe(false)
                expect(string.find(tostring(err), TEXT, 1, true) ~= nil).toBe(true)
                expect(yieldable).toBe(false)
            end
            expect(store:GetAsync("k")).toBe(1)
            expect(coroutine.isyieldable()).toBe(true)
        end)
        "#,
    ));
}

/// Engine reference, StarterPlayer.StarterCharacterScripts and
/// Player.Character: when a player's character spawns it is a Model named
/// after the player under Workspace with a Humanoid and a HumanoidRootPart;
/// the contents of StarterCharacterScripts are copied into it, its Scripts run
/// on the server and its LocalScripts on that player's client; CharacterAdded
/// fires and `Players:GetPlayerFromCharacter` finds the player. Humanoid
/// `TakeDamage` lowers Health and Died fires at 0.
#[test]
fn starter_character_scripts_are_copied_into_each_spawned_character() {
    let mut root = Node::folder("game", "DataModel");
    let sp = root.child_mut("StarterPlayer", "StarterPlayer");
    let scs = sp.child_mut("StarterCharacterScripts", "StarterCharacterScripts");
    scs.children.push(Node::script(
        "Health",
        "Script",
        "script.Parent:SetAttribute(\"ServerRan\", script.Parent.Name)\n",
        "Health.server.luau",
    ));
    scs.children.push(Node::script(
        "Camera",
        "LocalScript",
        "script.Parent:SetAttribute(\"ClientRan\", script.Parent.Name)\n",
        "Camera.client.luau",
    ));
    assert_green(&run_in(
        root,
        "character",
        r#"
        it("spawns a character with the starter scripts", function()
            local Players = game:GetService("Players")
            local added
            Players.PlayerAdded:Connect(function(p)
                p.CharacterAdded:Connect(function(c)
                    added = c
                end)
            end)
            local player = sim.addPlayer(7)
            sim.wait(1)
            local character = player.Character
            expect(character).toBe(added)
            expect(character.ClassName).toBe("Model")
            expect(character.Parent).toBe(workspace)
            expect(character.Humanoid.ClassName).toBe("Humanoid")
            expect(character:FindFirstChild("HumanoidRootPart") ~= nil).toBe(true)
            expect(Players:GetPlayerFromCharacter(character)).toBe(player)
            expect(character:GetAttribute("ServerRan")).toBe(player.Name)
            -- the LocalScript does not run on the server, and StarterCharacterScripts keeps its originals
            expect(character:GetAttribute("ClientRan")).toBeNil()
            expect(#game:GetService("StarterPlayer").StarterCharacterScripts:GetChildren()).toBe(2)
            local client = sim.client(player)
            expect(client:eval([[return game:GetService("Players").LocalPlayer.Character:GetAttribute("ClientRan")]])).toBe(player.Name)
            local died = false
            character.Humanoid.Died:Connect(function()
                died = true
            end)
            character.Humanoid:TakeDamage(150)
            expect(character.Humanoid.Health).toBe(0)
            sim.wait(0.1)
            expect(died).toBe(true)
        end)
        "#,
    ));
}

/// Engine reference, remote events and callbacks (argument limitations): an
/// Instance argument is passed as a reference to the receiver's copy of it;
/// one the receiver cannot see (it is not replicated, like a child of
/// ServerStorage) arrives as nil. Datatypes (Vector3, UDim2, Color3, ...),
/// EnumItems and DateTimes are passed by value, also inside tables.
#[test]
fn instances_cross_remotes_by_reference_or_as_nil() {
    assert_green(&run(
        "remote_instances",
        r#"
        it("a replicated instance arrives as the receiver's, a server-only one as nil", function()
            local rs = game:GetService("ReplicatedStorage")
            local shared = Instance.new("Folder")
            shared.Name = "Shared"
            shared.Parent = rs
            local re = Instance.new("RemoteEvent")
            re.Name = "Refs"
            re.Parent = rs
            local secret = Instance.new("Folder")
            secret.Name = "Secret"
            secret.Parent = game:GetService("ServerStorage")
            local player = sim.addPlayer(78)
            local client = sim.client(player)
            client:eval([[game:GetService("ReplicatedStorage"):WaitForChild("Refs").OnClientEvent:Connect(function(a, b, n)
                _G.a = if typeof(a) == "Instance" then a:GetFullName() else tostring(a)
                _G.b = b == nil
                _G.n = n
            end)]])
            task.wait(0.5)
            re:FireClient(player, shared, secret, 5)
            task.wait(1)
            expect(client:eval("return _G.a")).toBe("ReplicatedStorage.Shared")
            expect(client:eval("return _G.b")).toBe(true)
            expect(client:eval("return _G.n")).toBe(5)
        end)
        it("datatypes, EnumItems and DateTimes arrive by value, also inside tables", function()
            local re = Instance.new("RemoteEvent")
            re.Name = "Values"
            re.Parent = game:GetService("ReplicatedStorage")
            local player = sim.addPlayer(79)
            local client = sim.client(player)
            client:eval([[game:GetService("ReplicatedStorage"):WaitForChild("Values").OnClientEvent:Connect(function(v, t)
                _G.v = v == Vector3.new(1, 2, 3)
                _G.t = t.Size == UDim2.fromOffset(4, 5) and t.Dir == Enum.SortDirection.Descending
                    and t.When == DateTime.fromUnixTimestamp(60) and t.List[1] == Color3.new(1, 0, 0)
            end)]])
            task.wait(0.5)
            re:FireClient(player, Vector3.new(1, 2, 3), {
                Size = UDim2.fromOffset(4, 5),
                Dir = Enum.SortDirection.Descending,
                When = DateTime.fromUnixTimestamp(60),
                List = { Color3.new(1, 0, 0) },
            })
            task.wait(1)
            expect(client:eval("return _G.v")).toBe(true)
            expect(client:eval("return _G.t")).toBe(true)
        end)
        "#,
    ));
}
