//! Each emulated Roblox semantic, proven by running Luau specs in the simulator.

use std::rc::Rc;

use vstore::sim::mount::Node;
use vstore::sim::specs::{run_spec_file, SpecOptions, TestResult};

fn run(name: &str, body: &str) -> Vec<TestResult> {
    let dir = std::env::temp_dir().join(format!("vstore-sim-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.spec.luau"));
    let source = format!("local DSS = game:GetService(\"DataStoreService\")\nlocal MS = game:GetService(\"MessagingService\")\ndescribe(\"{name}\", function()\n{body}\nend)\n");
    std::fs::write(&file, source).unwrap();
    let package = Rc::new(Node::folder("game", "DataModel"));
    let results = run_spec_file(
        &package,
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

#[test]
fn update_transform_reruns_when_another_writer_committed_in_between() {
    assert_green(&run(
        "conflict",
        r#"
        it("re-runs", function()
            sim.datastore.latency(1, 1)
            local ds = DSS:GetDataStore("S")
            local runs = 0
            local done = 0
            for _ = 1, 2 do
                task.spawn(function()
                    ds:UpdateAsync("k", function(old)
                        runs += 1
                        return (old or 0) + 1
                    end)
                    done += 1
                end)
            end
            while done < 2 do task.wait(0.1) end
            expect(sim.datastore.read("S", "k")).toBe(2)
            expect(runs).toBe(3)
        end)
        it("nil cancels and the transform may not yield", function()
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("k", 1)
            expect(ds:UpdateAsync("k", function() return nil end)).toBeNil()
            expect(sim.datastore.read("S", "k")).toBe(1)
            expect(function() ds:UpdateAsync("k", function(v) task.wait(1) return v end) end).toThrow("cannot yield")
        end)
        it("clears UserIds and metadata the transform does not return", function()
            local ds = DSS:GetDataStore("S")
            local opts = Instance.new("DataStoreSetOptions")
            opts:SetMetadata({ tag = "a" })
            ds:SetAsync("k", 1, { 5 }, opts)
            local _, info = ds:GetAsync("k")
            expect(info:GetUserIds()).toEqual({ 5 })
            expect(info:GetMetadata()).toEqual({ tag = "a" })
            local _, info2 = ds:UpdateAsync("k", function(v, keyInfo)
                expect(keyInfo:GetUserIds()).toEqual({ 5 })
                return v + 1
            end)
            expect(info2:GetUserIds()).toEqual({})
            expect(info2:GetMetadata()).toEqual({})
        end)
        "#,
    ));
}

#[test]
fn a_write_can_commit_while_the_caller_sees_an_error() {
    assert_green(&run(
        "ambiguous",
        r#"
        it("commits then fails", function()
            local ds = DSS:GetDataStore("S")
            sim.datastore.failNext(1, { method = "UpdateAsync", code = 502, afterCommit = true })
            local ok, err = pcall(ds.UpdateAsync, ds, "k", function() return "landed" end)
            expect(ok).toBe(false)
            expect(err).toContain("502")
            expect(sim.datastore.read("S", "k")).toBe("landed")
            sim.datastore.failNext(1, { method = "SetAsync", code = 503 })
            ok = pcall(ds.SetAsync, ds, "k", "lost")
            expect(ok).toBe(false)
            expect(sim.datastore.read("S", "k")).toBe("landed")
        end)
        "#,
    ));
}

#[test]
fn exhausted_budget_queues_thirty_requests_and_fails_the_rest_with_301() {
    assert_green(&run(
        "budget",
        r#"
        it("throttles", function()
            local ds = DSS:GetDataStore("S")
            expect(DSS:GetRequestBudgetForRequestType(Enum.DataStoreRequestType.GetAsync)).toBe(60)
            local codes, ok, done = {}, 0, 0
            for i = 1, 100 do
                task.spawn(function()
                    local success, err = pcall(ds.GetAsync, ds, "key" .. i)
                    if success then ok += 1 else table.insert(codes, string.sub(err, 1, 3)) end
                    done += 1
                end)
            end
            while done < 100 do task.wait(1) end
            expect(ok).toBe(90)
            expect(#codes).toBe(10)
            expect(codes[1]).toBe("301")
            expect(sim.datastore.requests("GetAsync")).toBe(90)
        end)
        it("caches GetAsync for four seconds", function()
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("c", 1)
            expect(ds:GetAsync("c")).toBe(1)
            sim.datastore.write("S", "c", 2)
            local before = sim.datastore.requests("GetAsync")
            task.wait(5)
            expect(ds:GetAsync("c")).toBe(2)
            expect(sim.datastore.requests("GetAsync")).toBe(before + 1)
            local s2 = sim.startServer()
            s2:eval("game:GetService('DataStoreService'):GetDataStore('S'):SetAsync('c', 3)")
            expect(ds:GetAsync("c")).toBe(2)
            task.wait(4)
            expect(ds:GetAsync("c")).toBe(3)
        end)
        "#,
    ));
}

#[test]
fn versions_are_kept_per_utc_hour() {
    assert_green(&run(
        "versions",
        r#"
        it("keeps one version per hour", function()
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("k", 1)
            task.wait(10)
            ds:SetAsync("k", 2)
            local mid = DateTime.now().UnixTimestampMillis
            task.wait(3700)
            ds:SetAsync("k", 3)
            local pages = ds:ListVersionsAsync("k", Enum.SortDirection.Ascending)
            local versions = pages:GetCurrentPage()
            expect(#versions).toBe(2)
            expect(pages.IsFinished).toBe(true)
            expect(ds:GetVersionAsync("k", versions[1].Version)).toBe(2)
            expect(ds:GetVersionAtTimeAsync("k", mid)).toBe(2)
            ds:RemoveAsync("k")
            expect(ds:GetAsync("k", (function() local o = Instance.new("DataStoreGetOptions") o.UseCache = false return o end)())).toBeNil()
            expect(ds:GetVersionAsync("k", versions[2].Version)).toBe(3)
        end)
        it("rejects values that cannot be stored and long keys", function()
            local ds = DSS:GetDataStore("S")
            expect(function() ds:SetAsync("k", { f = function() end }) end).toThrow("104")
            expect(function() ds:SetAsync("k", { 1, 2, x = 3 }) end).toThrow("104")
            expect(function() ds:SetAsync(string.rep("k", 51), 1) end).toThrow("102")
            expect(function() ds:SetAsync("k", string.rep("x", 4194304)) end).toThrow("105")
            expect(function() ds:SetAsync("k", 1, { 1, 2, 3, 4, 5 }) end).toThrow("512")
        end)
        it("orders integer values", function()
            local ods = DSS:GetOrderedDataStore("Board")
            for i = 1, 5 do ods:SetAsync("p" .. i, i * 10) end
            expect(function() ods:SetAsync("x", 1.5) end).toThrow("integers")
            local pages = ods:GetSortedAsync(false, 2)
            local first = pages:GetCurrentPage()
            expect(first[1].key).toBe("p5")
            expect(first[2].value).toBe(40)
            pages:AdvanceToNextPageAsync()
            expect(pages:GetCurrentPage()[1].key).toBe("p3")
            expect(ods:IncrementAsync("p1", 5)).toBe(15)
        end)
        "#,
    ));
}

#[test]
fn messages_cross_servers_and_can_be_lost() {
    assert_green(&run(
        "messaging",
        r#"
        it("delivers and drops", function()
            local got = {}
            MS:SubscribeAsync("t", function(m) table.insert(got, m.Data) end)
            local s2 = sim.startServer()
            s2:eval("game:GetService('MessagingService'):PublishAsync('t', 'one')")
            task.wait(5)
            expect(got).toEqual({ "one" })
            sim.messaging.dropRate(1)
            s2:eval("game:GetService('MessagingService'):PublishAsync('t', 'two')")
            task.wait(5)
            expect(#got).toBe(1)
            expect(function() MS:PublishAsync("t", string.rep("x", 2000)) end).toThrow("1kB")
        end)
        "#,
    ));
}

#[test]
fn a_crashed_server_runs_nothing_while_a_shutdown_runs_bind_to_close() {
    assert_green(&run(
        "lifecycle",
        r#"
        local script = [[
            game:BindToClose(function()
                game:GetService("DataStoreService"):GetDataStore("S"):SetAsync(game.JobId, "closed")
            end)
            task.spawn(function()
                while true do
                    task.wait(1)
                    game:GetService("DataStoreService"):GetDataStore("S"):SetAsync("tick" .. game.JobId, os.time())
                end
            end)
        ]]
        it("crash", function()
            local s2 = sim.startServer(script)
            local job = s2:eval("return game.JobId")
            task.wait(3)
            s2:crash()
            local last = sim.datastore.read("S", "tick" .. job)
            task.wait(60)
            expect(sim.datastore.read("S", job)).toBeNil()
            expect(sim.datastore.read("S", "tick" .. job)).toBe(last)
            expect(s2:isAlive()).toBe(false)
        end)
        it("shutdown", function()
            local s2 = sim.startServer(script)
            local job = s2:eval("return game.JobId")
            s2:shutdown()
            expect(sim.datastore.read("S", job)).toBe("closed")
            expect(s2:isAlive()).toBe(false)
        end)
        it("BindToClose gets at most 30 seconds", function()
            local s2 = sim.startServer([[game:BindToClose(function() task.wait(100) end)]])
            local t0 = sim.now()
            s2:shutdown()
            expect(sim.now() - t0).toBeLessThan(31)
            expect(sim.now() - t0).toBeGreaterThan(29)
        end)
        it("partition fails every request of that server", function()
            local ds = DSS:GetDataStore("S")
            sim.server():partition(10)
            expect(function() ds:SetAsync("p", 1) end).toThrow("503")
            task.wait(11)
            ds:SetAsync("p", 1)
            expect(sim.datastore.read("S", "p")).toBe(1)
        end)
        it("remote events reach the player's client", function()
            local re = Instance.new("RemoteEvent")
            re.Name = "Ping"
            re.Parent = game:GetService("ReplicatedStorage")
            local player = sim.addPlayer(77)
            local client = sim.client(player)
            client:eval([[game:GetService("ReplicatedStorage"):WaitForChild("Ping").OnClientEvent:Connect(function(v) _G.got = v end)]])
            re:FireClient(player, "hello")
            task.wait(1)
            expect(client:eval("return _G.got")).toBe("hello")
        end)
        "#,
    ));
}
