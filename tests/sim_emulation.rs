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
            expect(function() ds:UpdateAsync("k", function(v) task.wait(1) return v end) end).toThrow("attempt to yield across metamethod/C-call boundary")
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

#[test]
fn a_key_takes_four_megabytes_of_writes_and_twenty_five_of_reads_per_minute() {
    assert_green(&run(
        "key_throughput",
        r#"
        local noCache = Instance.new("DataStoreGetOptions")
        noCache.UseCache = false
        -- a JSON string of n characters encodes to n + 2
        local function value(bytes) return string.rep("x", bytes - 2) end
        it("fails writes past 4 MB per minute with the key throttle", function()
            local ds = DSS:GetDataStore("S")
            local mb = value(1024 * 1024)
            for _ = 1, 4 do ds:SetAsync("k", mb) end
            local ok, err = pcall(ds.SetAsync, ds, "k", mb)
            expect(ok).toBe(false)
            expect(err).toContain("502")
            expect(err).toContain("KeyThrottled")
            expect(sim.datastore.read("S", "k")).toBe(mb)
            ds:SetAsync("other", mb)
            task.wait(61)
            ds:SetAsync("k", mb)
            expect(sim.limits().throttled["key write throughput"]).toBe(1)
        end)
        it("rounds each request up to a whole kilobyte", function()
            local ds = DSS:GetDataStore("S")
            for _ = 1, 3 do ds:SetAsync("k", value(1024 * 1024)) end
            ds:SetAsync("k", value(1023 * 1024))
            -- 4095 KB spent: one tiny write still fits, the next does not
            ds:SetAsync("k", 1)
            expect(function() ds:SetAsync("k", 2) end).toThrow("KeyThrottled")
            -- UpdateAsync and RemoveAsync write the key too
            expect(function() ds:UpdateAsync("k", function() return 3 end) end).toThrow("KeyThrottled")
            expect(function() ds:RemoveAsync("k") end).toThrow("KeyThrottled")
            expect(sim.datastore.read("S", "k")).toBe(1)
        end)
        it("fails reads past 25 MB per minute", function()
            local ds = DSS:GetDataStore("S")
            local four = value(4 * 1024 * 1024)
            ds:SetAsync("big", four)
            for _ = 1, 6 do
                expect(#ds:GetAsync("big", noCache)).toBe(#four)
            end
            local ok, err = pcall(ds.GetAsync, ds, "big", noCache)
            expect(ok).toBe(false)
            expect(err).toContain("KeyThrottled")
            expect(err).toContain("read")
            -- a cached read never reaches the backend
            expect(#ds:GetAsync("big")).toBe(#four)
            task.wait(61)
            expect(#ds:GetAsync("big", noCache)).toBe(#four)
            expect(sim.limits().throttled["key read throughput"]).toBe(1)
        end)
        "#,
    ));
}

#[test]
fn experience_wide_limits_are_shared_by_every_server_and_grow_with_ccu() {
    assert_green(&run(
        "experience",
        r#"
        -- every server starts with 60 writes of budget; six of them offer 360
        -- writes in one instant against the experience's 300 + 20 x CCU
        local flood = [[
            local ds = game:GetService("DataStoreService"):GetDataStore("S")
            _G.fails, _G.done = 0, 0
            for i = 1, 60 do
                task.spawn(function()
                    local ok, err = pcall(ds.SetAsync, ds, game.JobId .. "-" .. i, i)
                    if not ok then
                        _G.fails += 1
                        _G.err = err
                    end
                    _G.done += 1
                end)
            end
        ]]
        local function floodFrom(servers)
            for _, s in servers do s:eval(flood) end
            task.wait(5)
            local fails, err = 0, nil
            for _, s in servers do
                local f, e = s:eval("return _G.fails, _G.err")
                expect(s:eval("return _G.done")).toBe(60)
                fails += f
                err = err or e
            end
            return fails, err
        end
        local function servers(n)
            local list = {}
            for _ = 1, n do table.insert(list, sim.startServer()) end
            return list
        end
        it("fails writes past 300 per minute with no players online", function()
            local fails, err = floodFrom(servers(6))
            expect(fails).toBe(60)
            expect(err).toContain("502")
            expect(err).toContain("DatastoreThrottled")
            expect(sim.limits().throttled["experience writes"]).toBe(60)
        end)
        it("counts players on every server", function()
            local list = servers(6)
            list[1]:addPlayer(1)
            list[2]:addPlayer(2)
            list[3]:addPlayer(3)
            local fails = floodFrom(list)
            expect(fails).toBe(0)
            expect(sim.limits().throttled["experience writes"]).toBeNil()
        end)
        it("frees up after a minute", function()
            local list = servers(6)
            floodFrom(list)
            task.wait(61)
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("after", 1)
            expect(sim.datastore.read("S", "after")).toBe(1)
        end)
        "#,
    ));
}

#[test]
fn messaging_enforces_send_receive_and_subscription_limits() {
    assert_green(&run(
        "messaging_limits",
        r#"
        it("throttles sends past 600 + 240 x players per minute", function()
            local fails, done, lastErr = 0, 0, nil
            local function burst(n)
                for _ = 1, n do
                    task.spawn(function()
                        local ok, err = pcall(MS.PublishAsync, MS, "t", "m")
                        if not ok then
                            fails += 1
                            lastErr = err
                        end
                        done += 1
                    end)
                end
            end
            burst(601)
            while done < 601 do task.wait(0.1) end
            expect(fails).toBe(1)
            expect(lastErr).toContain("throttled")
            sim.addPlayer(1)
            burst(241)
            while done < 842 do task.wait(0.1) end
            expect(fails).toBe(2)
            expect(sim.limits().throttled["message sends"]).toBe(2)
        end)
        it("drops messages past 40 + 80 x servers per minute per topic", function()
            local got = 0
            MS:SubscribeAsync("t", function() got += 1 end)
            local s2 = sim.startServer()
            -- two servers: 200 per topic per minute
            s2:eval([[for i = 1, 250 do task.spawn(function() game:GetService("MessagingService"):PublishAsync("t", i) end) end]])
            task.wait(5)
            expect(got).toBe(200)
            expect(sim.limits().droppedMessages["topic receive limit"]).toBe(50)
            task.wait(60)
            s2:eval([[game:GetService("MessagingService"):PublishAsync("t", 0)]])
            task.wait(5)
            expect(got).toBe(201)
        end)
        it("drops messages past 400 + 200 x servers per minute per game", function()
            local got = 0
            for topic = 1, 5 do
                for _ = 1, 2 do
                    MS:SubscribeAsync("t" .. topic, function() got += 1 end)
                end
            end
            local s2 = sim.startServer()
            -- 5 topics x 100 messages x 2 subscriptions = 1000 deliveries; the
            -- game takes 800 a minute with two servers, each topic 200
            s2:eval([[for topic = 1, 5 do for i = 1, 100 do task.spawn(function() game:GetService("MessagingService"):PublishAsync("t" .. topic, i) end) end end]])
            task.wait(5)
            expect(got).toBe(800)
            expect(sim.limits().droppedMessages["game receive limit"]).toBe(200)
            expect(sim.limits().droppedMessages["topic receive limit"]).toBeNil()
        end)
        it("counts lost messages", function()
            MS:SubscribeAsync("t", function() end)
            sim.messaging.dropRate(1)
            MS:PublishAsync("t", 1)
            task.wait(5)
            expect(sim.limits().droppedMessages["lost"]).toBe(1)
        end)
        it("allows 20 + 8 x players subscriptions per server", function()
            local conns = {}
            for i = 1, 20 do table.insert(conns, MS:SubscribeAsync("t" .. i, function() end)) end
            expect(function() MS:SubscribeAsync("t21", function() end) end).toThrow("too many subscriptions")
            sim.addPlayer(1)
            for i = 21, 28 do table.insert(conns, MS:SubscribeAsync("t" .. i, function() end)) end
            expect(function() MS:SubscribeAsync("t29", function() end) end).toThrow("too many subscriptions")
            conns[1]:Disconnect()
            MS:SubscribeAsync("t29", function() end)
            expect(function() MS:SubscribeAsync(string.rep("t", 81), function() end) end).toThrow("1 to 80")
            expect(function() MS:SubscribeAsync("", function() end) end).toThrow("1 to 80")
            expect(sim.limits().throttled["subscriptions"]).toBe(2)
        end)
        it("allows 240 subscribe requests per minute", function()
            for _ = 1, 240 do
                MS:SubscribeAsync("t", function() end):Disconnect()
            end
            expect(function() MS:SubscribeAsync("t", function() end) end).toThrow("240 per minute")
            task.wait(60)
            MS:SubscribeAsync("t", function() end)
        end)
        "#,
    ));
}

#[test]
fn shutdown_errors_hit_only_a_closing_server_and_bind_to_close_saves_normally_succeed() {
    assert_green(&run(
        "closing",
        r#"
        -- BindToClose saves once and records the error, if any, under a second key
        local script = [[
            game:BindToClose(function()
                local ds = game:GetService("DataStoreService"):GetDataStore("S")
                local ok, err = pcall(ds.SetAsync, ds, game.JobId, "saved")
                if not ok then
                    pcall(ds.SetAsync, ds, "err" .. game.JobId, err)
                end
            end)
        ]]
        it("saves during BindToClose by default", function()
            local s2 = sim.startServer(script)
            local job = s2:eval("return game.JobId")
            s2:shutdown()
            expect(sim.datastore.read("S", job)).toBe("saved")
        end)
        it("a scripted 401 waits for a closing server's request", function()
            local s2 = sim.startServer(script)
            local job = s2:eval("return game.JobId")
            sim.datastore.failNext(1, { code = 401 })
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("running", 1)
            expect(sim.datastore.read("S", "running")).toBe(1)
            s2:shutdown()
            expect(sim.datastore.read("S", job)).toBeNil()
            expect(sim.datastore.read("S", "err" .. job)).toContain("401")
        end)
        it("closingErrors fails every request of a closing server with 401 or 402", function()
            sim.datastore.closingErrors(1)
            local s2 = sim.startServer(script)
            local job = s2:eval("return game.JobId")
            local ds = DSS:GetDataStore("S")
            ds:SetAsync("running", 1)
            s2:shutdown()
            expect(sim.datastore.read("S", "running")).toBe(1)
            expect(sim.datastore.read("S", job)).toBeNil()
            expect(sim.datastore.read("S", "err" .. job)).toBeNil()
        end)
        it("requests during the spec server's own shutdown are closing requests", function()
            sim.datastore.failNext(1, { code = 402 })
            local ds = DSS:GetDataStore("S")
            local result
            game:BindToClose(function()
                result = table.pack(pcall(ds.SetAsync, ds, "mine", 1))
            end)
            ds:SetAsync("before", 1)
            sim.shutdown()
            expect(result[1]).toBe(false)
            expect(result[2]).toContain("402")
        end)
        "#,
    ));
}
