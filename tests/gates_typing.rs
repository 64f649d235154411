//! The typed client bindings bite: small game scripts are type-checked in
//! strict mode against the built advanced example (whose `Quests` are private)
//! with `vstore-typecheck`. A correct script checks clean; observing a private
//! path, a wrong value type and a write into `Get()` are reported at their line.

mod gates_support;

use std::fs;

use gates_support::{built_project, repo, typecheck_output};

const PRELUDE: &str = "--!strict
local ReplicatedStorage = game:GetService(\"ReplicatedStorage\")
local PlayerData = require(ReplicatedStorage:WaitForChild(\"PlayerDataClient\"))

local replica = PlayerData.connect()
";

/// Type-checks `body` (after `PRELUDE`, which is five lines) as a client
/// script of the built advanced example. Returns whether the package checked
/// clean and the script's own errors as `line: message`.
fn check_script(label: &str, body: &str) -> (bool, Vec<String>) {
    let pkg = built_project(
        &format!("typing-{label}"),
        &repo().join("schema-examples/advanced"),
    );
    let game = pkg.join("Game");
    fs::create_dir_all(&game).unwrap();
    fs::write(
        game.join(format!("{label}.client.luau")),
        format!("{PRELUDE}{body}"),
    )
    .unwrap();
    let (ok, output) = typecheck_output(&pkg);
    let prefix = format!("Game/{label}.client.luau:");
    let errors = output
        .lines()
        .filter_map(|l| l.split_once(&prefix).map(|(_, rest)| rest))
        .filter(|rest| !rest.contains(": warning: "))
        .map(|rest| {
            let (line, rest) = rest.split_once(':').unwrap();
            let (_col, message) = rest.split_once(": ").unwrap();
            format!("{line}: {message}")
        })
        .collect();
    (ok, errors)
}

#[test]
fn a_correct_client_script_checks_clean() {
    let (ok, errors) = check_script(
        "Hud",
        "local ok, reason = replica:Await(10)
local state: \"Connecting\" | \"Ready\" | \"Resyncing\" | \"Disconnected\" = replica:GetState()
local data = replica:Get()
local coins: number = data.Wallet.Coins
local firstItem: string? = if data.Inventory[1] then data.Inventory[1].Id else nil
print(ok, reason, state, coins, firstItem, replica:GetRevision())
PlayerData.ObserveWalletCoins(replica, function(value)
\tlocal shown: number = value + 1
\tprint(shown)
end)
PlayerData.ObserveInventory(replica, function(items)
\tfor _, item in items do
\t\tlocal count: number = item.Count
\t\tprint(item.Id, count)
\tend
end)
PlayerData.ObserveEquipped(replica, function(equipped)
\tlocal hat: string? = equipped.Hat
\tprint(hat)
end)
local connection = PlayerData.Observe(replica, \"Progress.Level\", function(level)
\tprint(level)
end)
replica.StateChanged:Connect(function(new, old)
\tlocal label: string = new
\tprint(label, old)
end)
replica.Changed:Connect(function(paths)
\tprint(#paths)
end)
connection:Disconnect()
replica:Disconnect()
",
    );
    assert_eq!(errors, Vec::<String>::new());
    assert!(ok, "the package with a correct script checks clean");
}

#[test]
fn observing_a_private_path_is_a_type_error() {
    let (ok, errors) = check_script(
        "Private",
        "PlayerData.ObserveQuests(replica, function(quests)
\tprint(quests)
end)
PlayerData.Observe(replica, \"Quests\", function(quests)
\tprint(quests)
end)
",
    );
    assert!(!ok);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("6: Key 'ObserveQuests' not found in table"),
        "{errors:#?}"
    );
    assert_eq!(
        errors[1],
        "9: Expected this to be '\"Equipped\" | \"Inventory\" | \"Progress.Level\" | \"Progress.SeasonPoints\" \
         | \"Progress.XP\" | \"Wallet.Coins\" | \"Wallet.Gems\"', but got '\"Quests\"'"
    );
}

#[test]
fn assigning_observed_coins_to_a_string_is_a_type_error() {
    let (ok, errors) = check_script(
        "WrongType",
        "PlayerData.ObserveWalletCoins(replica, function(coins)
\tlocal label: string = coins
\tprint(label)
end)
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec!["7: Expected this to be 'string', but got 'number'".to_string()]
    );
}

#[test]
fn writing_into_the_replica_data_is_a_type_error() {
    let (ok, errors) = check_script(
        "Write",
        "local data = replica:Get()
data.Wallet.Coins = 1000000
data.Inventory[1].Count = 99
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec![
            "7: Property Coins of table '{ read Coins: number, read Gems: number }' is read-only"
                .to_string(),
            "8: Property Count of table 'PlayerDataClient.Item' is read-only".to_string(),
        ]
    );
}
