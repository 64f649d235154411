//! `vstore sim` scenarios: deterministic per seed; the oracles catch a player
//! store that acknowledges saves it never made or opens blank after a failed
//! read; the store plan is derived from the project schema.

use std::rc::Rc;

use vstore::sim::mount::Node;
use vstore::sim::scenario::{run, ScenarioOptions, StorePlan};

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
        .push(Node::script(
            "PlayerData",
            "ModuleScript",
            &source,
            "PlayerData.luau",
        ));
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
        clients: 0,
        plan: StorePlan::fallback("PlayerData"),
        faults: None,
        trace: false,
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
            .any(|v| v.text.contains("acknowledged save lost")),
        "{:?}",
        s.violations
    );
}

#[test]
fn the_blank_open_oracle_catches_a_load_that_falls_back_to_the_template() {
    // the facade opens with 0 coins when its read fails; the outage makes
    // reads fail while players who already have coins join
    let mut opts = options("outage", 3);
    opts.players = 30;
    let s = run(facade(true), &opts).unwrap();
    assert!(s.opens_checked > 0, "{s:?}");
    assert!(
        s.violations.iter().any(|v| v.text.contains(
            "blank open after failed load: the session opened with Wallet.Coins = 0 (the template) while the stored record holds Wallet.Coins = "
        )),
        "{:?}",
        s.violations
    );
}

#[test]
fn without_a_client_library_the_mirror_oracle_is_skipped_and_says_why() {
    let mut opts = options("steady", 3);
    opts.clients = 4;
    opts.plan.public = vec![vec!["Wallet".into(), "Coins".into()]];
    let s = run(facade(true), &opts).unwrap();
    assert_eq!(s.clients_sampled, 0);
    assert_eq!(s.mirror_checks, 0);
    assert_eq!(
        s.mirror_skipped.as_deref(),
        Some("the package has no ReplicatedStorage.VirtualStoreClient")
    );
}

fn plan_of(example: &str) -> StorePlan {
    let checked = vstore::check::check_project(std::path::Path::new(&format!(
        "{}/schema-examples/{example}",
        env!("CARGO_MANIFEST_DIR")
    )))
    .unwrap_or_else(|_| panic!("{example} checks"));
    StorePlan::from_store(&checked.project, &checked.project.stores[0])
}

#[test]
fn the_plan_rewards_through_the_operation_and_plays_on_a_path_no_operation_writes() {
    let plan = plan_of("advanced");
    let reward = plan.reward.expect("GrantMatchReward qualifies");
    assert_eq!(reward.operation, "GrantMatchReward");
    assert_eq!(reward.field, "Coins");
    assert_eq!(reward.path, ["Wallet", "Coins"]);
    assert_eq!((reward.amount, reward.base), (250, 0.0));
    // Wallet.Coins is written by the operation; Wallet.Gems is the next unbounded integer
    assert_eq!(plan.counter, ["Wallet", "Gems"]);
    assert_eq!(plan.channel, "PlayerData");
    assert_eq!(plan.public.len(), 7);
    assert_eq!((plan.receipt_limit, plan.dedupe_limit), (500, 5000));
    assert!(plan.schema.is_some());
}

#[test]
fn a_project_without_operations_plays_on_its_first_integer_and_has_no_reward() {
    let plan = plan_of("basic");
    assert_eq!(plan.reward, None);
    assert_eq!(plan.counter, ["Wallet", "Coins"]);
    assert_eq!(
        plan.public,
        [
            vec!["Wallet".to_string(), "Coins".to_string()],
            vec!["Inventory".to_string()]
        ]
    );
}

#[test]
fn stored_data_that_does_not_match_the_schema_is_a_violation() {
    // the facade stores only Wallet.Coins; the basic schema also requires Inventory
    let mut opts = options("steady", 3);
    opts.plan = plan_of("basic");
    let s = run(facade(true), &opts).unwrap();
    assert!(
        s.violations.iter().any(|v| v
            .text
            .contains("stored data does not validate against the schema")
            && v.text.contains("Inventory")),
        "{:?}",
        s.violations
    );
}
