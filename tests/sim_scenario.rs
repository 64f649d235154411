//! `vstore sim` scenarios: deterministic per seed, and the oracles catch a
//! player store that acknowledges saves it never made.

use std::rc::Rc;

use vstore::sim::mount::Node;
use vstore::sim::scenario::{run, ScenarioOptions};

/// A small player facade with the generated package's public surface; when
/// `honest` is false its checkpoint reports success without writing.
fn facade(honest: bool) -> Rc<Node> {
    let source = format!(
        r#"
local DSS = game:GetService("DataStoreService")
local Players = game:GetService("Players")
local store = DSS:GetDataStore("PlayerData")
local HONEST = {honest}
local sessions = {{}}
local Data = {{}}
local function record(coins)
    return {{ Format = "VirtualStore", FormatVersion = 1, SchemaVersion = 1, Data = {{ Wallet = {{ Coins = coins }} }}, Meta = {{ Revision = 1 }} }}
end
local function save(userId)
    local s = sessions[userId]
    store:UpdateAsync("Player_" .. userId, function() return record(s.coins) end)
end
function Data:Wait(player)
    while not sessions[player.UserId] do task.wait(0.1) end
    return sessions[player.UserId]
end
function Data:GetPath(player) return sessions[player.UserId].coins end
function Data:Add(player, _, n)
    sessions[player.UserId].coins += n
    return true
end
function Data:DeliverAsync() end
function Data:CheckpointAsync(player)
    if HONEST then
        local ok = pcall(save, player.UserId)
        return ok
    end
    return true
end
Players.PlayerAdded:Connect(function(player)
    local ok, value = pcall(store.GetAsync, store, "Player_" .. player.UserId)
    local coins = ok and value and value.Data.Wallet.Coins or 0
    sessions[player.UserId] = {{ coins = coins }}
end)
Players.PlayerRemoving:Connect(function(player)
    if HONEST then pcall(save, player.UserId) end
    sessions[player.UserId] = nil
end)
return Data
"#
    );
    let mut root = Node::folder("game", "DataModel");
    root.child_mut("ServerScriptService", "ServerScriptService")
        .children
        .push(Node {
            name: "PlayerData".into(),
            class: "ModuleScript".into(),
            source: Some(Rc::from(source.as_str())),
            chunk: "PlayerData.luau".into(),
            children: Vec::new(),
        });
    Rc::new(root)
}

fn options(scenario: &str, seed: u64) -> ScenarioOptions {
    ScenarioOptions {
        scenario: scenario.into(),
        servers: 2,
        players: 12,
        duration: 1800.0,
        seed,
        store: "PlayerData".into(),
    }
}

#[test]
fn the_same_seed_gives_the_same_trace_hash() {
    let a = run(facade(true), &options("steady", 3)).unwrap();
    let b = run(facade(true), &options("steady", 3)).unwrap();
    let c = run(facade(true), &options("steady", 4)).unwrap();
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_ne!(a.trace_hash, c.trace_hash);
    assert!(a.sessions > 0 && a.acks > 0, "{a:?}");
    assert!(a.violations.is_empty(), "{:?}", a.violations);
}

#[test]
fn the_oracle_catches_a_checkpoint_that_never_saved() {
    let s = run(facade(false), &options("steady", 3)).unwrap();
    assert!(
        s.violations
            .iter()
            .any(|v| v.contains("acknowledged save lost")),
        "{:?}",
        s.violations
    );
}
