//! The typed bindings bite: small game scripts are type-checked in strict mode
//! against the built advanced example (whose `Quests` are private) with
//! `vstore-typecheck`. A correct client script checks clean; observing a
//! private path, a wrong value type and a write into `Get()` are reported at
//! their line. The same holds for a server script using the typed facade,
//! its `Types.Paths` constants and its typed `Fields` helpers (a wrong value,
//! an unknown field, a helper the field's kind lacks), and for one using the
//! typed keyed store of `tests/keyed` (`Guilds`).

use crate::gates_support;

use std::fs;
use std::path::PathBuf;

use gates_support::{built_project, gate_all, repo, typecheck_output, Gate};

const PRELUDE: &str = "--!strict
local ReplicatedStorage = game:GetService(\"ReplicatedStorage\")
local PlayerData = require(ReplicatedStorage:WaitForChild(\"PlayerDataClient\"))

local replica = PlayerData.connect()
";

const SERVER_PRELUDE: &str = "--!strict
local ServerScriptService = game:GetService(\"ServerScriptService\")
local PlayerData = require(ServerScriptService:WaitForChild(\"PlayerData\"))

local player = (nil :: any) :: Player
";

const KEYED_PRELUDE: &str = "--!strict
local ServerScriptService = game:GetService(\"ServerScriptService\")
local Guilds = require(ServerScriptService:WaitForChild(\"Guilds\"))

local key = \"Red\"
";

/// Type-checks `body` (after `PRELUDE`, which is five lines) as a client
/// script of the built advanced example. Returns whether the package checked
/// clean and the script's own errors as `line: message`.
fn check_script(label: &str, body: &str) -> (bool, Vec<String>) {
    check(
        label,
        &format!("{label}.client.luau"),
        &format!("{PRELUDE}{body}"),
    )
}

/// Like `check_script`, as a server script after `SERVER_PRELUDE` (five lines).
fn check_server_script(label: &str, body: &str) -> (bool, Vec<String>) {
    check(
        label,
        &format!("{label}.server.luau"),
        &format!("{SERVER_PRELUDE}{body}"),
    )
}

/// Like `check_server_script`, against the keyed fixture after `KEYED_PRELUDE` (five lines).
fn check_keyed_script(label: &str, body: &str) -> (bool, Vec<String>) {
    check_in(
        keyed_project(),
        label,
        &format!("{label}.server.luau"),
        &format!("{KEYED_PRELUDE}{body}"),
    )
}

fn keyed_project() -> PathBuf {
    repo().join("tests/keyed")
}

fn check(label: &str, file: &str, source: &str) -> (bool, Vec<String>) {
    check_in(repo().join("schema-examples/advanced"), label, file, source)
}

fn check_in(project: PathBuf, label: &str, file: &str, source: &str) -> (bool, Vec<String>) {
    let pkg = built_project(&format!("typing-{label}"), &project);
    let game = pkg.join("Game");
    fs::create_dir_all(&game).unwrap();
    fs::write(game.join(file), source).unwrap();
    let (ok, output) = typecheck_output(&pkg);
    let prefix = format!("Game/{file}:");
    // A long message continues on lines that do not start with the package path.
    let root = pkg.display().to_string();
    let mut messages: Vec<String> = Vec::new();
    for line in output.lines() {
        match messages.last_mut() {
            Some(last) if !line.starts_with(&root) => {
                last.push('\n');
                last.push_str(line);
            }
            _ => messages.push(line.to_string()),
        }
    }
    let errors = messages
        .iter()
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

fn a_correct_server_script_checks_clean_against_the_typed_facade() {
    let (ok, errors) = check_server_script(
        "Server",
        "local data, err = PlayerData:Get(player)
if data then
\tlocal coins: number = data.Wallet.Coins
\tlocal quest = data.Quests.FirstSteps
\tprint(coins, quest and quest.Completed, err and err.Code)
end
local coins = PlayerData:GetPath(player, { \"Wallet\", \"Coins\" })
PlayerData:Set(player, { \"Wallet\", \"Coins\" }, coins + 1)
PlayerData:Edit(player, function(profile)
\tprofile.Progress.XP += 10
end)
PlayerData.Loaded:Connect(function(who, profile, session)
\tprint(who.UserId, profile.Progress.Level, session.Key)
end)
local id = PlayerData:DeliverAsync(player.UserId, \"reward-1\", \"GrantMatchReward\", { Coins = 5 })
local state: PlayerData.LoadState? = PlayerData:GetState(player)
print(id, state, PlayerData:IsLoaded(player))
PlayerData.Store.CriticalStateChanged:Connect(function(critical)
\tprint(critical)
end)
",
    );
    assert_eq!(errors, Vec::<String>::new());
    assert!(ok, "the package with a correct server script checks clean");
}

fn the_typed_facade_rejects_wrong_data_and_payload_types() {
    let (ok, errors) = check_server_script(
        "ServerWrong",
        "local data = PlayerData:Get(player)
if data then
\tlocal coins: string = data.Wallet.Coins
\tprint(coins)
end
PlayerData:Edit(player, function(profile)
\tprofile.Wallet.Coins = \"many\"
end)
PlayerData:DeliverAsync(player, \"reward-1\", \"GrantMatchReward\", { Coins = \"5\" })
PlayerData:DeliverAsync(player, \"reward-2\", \"GrantEverything\", { Coins = 5 })
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec![
            "8: Expected this to be 'string', but got 'number'".to_string(),
            "12: Expected this to be 'number', but got 'string'".to_string(),
            "14: Expected this to be 'number', but got 'string'".to_string(),
            "15: Expected this to be\n\t'\"GrantMatchReward\"'\nbut got\n\t'\"GrantEverything\"'"
                .to_string(),
        ]
    );
}

fn keyed_project_build_passes_stylua_selene_and_strict_types() {
    gate_all(&built_project("typing-keyed", &keyed_project()));
}

fn a_correct_script_checks_clean_against_the_typed_keyed_store() {
    let (ok, errors) = check_keyed_script(
        "Guild",
        "local session, err = Guilds:OpenAsync(key, { UserIds = { 7 } })
if session then
\tlocal coins: number = session:Get().Bank.Coins
\tlocal name: string = session.Data.Name
\tlocal rank = session:GetData().Members[\"7\"]
\tprint(coins, name, rank and rank.Rank, session:Get({ \"Bank\", \"Coins\" }))
\tsession:Transaction(function(guild)
\t\tguild.Bank.Coins += 5
\t\tguild.Members[\"8\"] = { Rank = \"Officer\", JoinedAt = 0 }
\tend)
\tsession:Increment({ \"Bank\", \"Coins\" }, 1, { Reason = \"Bonus\" })
\tsession:QueueOperationAsync(\"deposit-1\", \"Deposit\", { Coins = 5 })
\tsession.OnSaved:Connect(function(info)
\t\tlocal revision: number = info.Revision
\t\tprint(revision, info.Kind)
\tend)
\tlocal state: string = session:GetState()
\tprint(state)
\tsession:ReleaseAsync()
end
print(err and err.Code)
local viewed = Guilds:ViewAsync(key)
if viewed then
\tlocal bank: number = viewed.Bank.Coins
\tprint(bank)
end
local updated = Guilds:UpdateAsync(\"Blue\", function(guild)
\tguild.Bank.Coins += 1
end)
print(updated and updated.Bank.Coins)
local status = Guilds:QueueOperationAsync(\"Blue\", \"deposit-2\", \"Deposit\", { Coins = 10 })
local final, _, receipt = Guilds:AwaitOperationAsync(\"Blue\", \"deposit-2\", 5)
print(status, final, receipt)
Guilds.SessionOpened:Connect(function(opened)
\tprint(opened.Key, opened.Data.Bank.Coins)
end)
Guilds.OperationApplied:Connect(function(applied)
\tprint(applied.Id, applied.Status)
end)
local restored = Guilds:RestoreVersionAsync(key, \"v1\")
print(restored and restored.Name, Guilds:DeleteAsync(key, Guilds:GetDeleteConfirmation(key)))
local typed: Guilds.KeyedStore = Guilds
local state: Guilds.SessionState? = nil
print(typed, state)
",
    );
    assert_eq!(errors, Vec::<String>::new());
    assert!(ok, "the package with a correct keyed script checks clean");
}

fn the_typed_keyed_store_rejects_a_wrong_field_type_operation_name_and_payload() {
    let (ok, errors) = check_keyed_script(
        "GuildWrong",
        "local session = Guilds:OpenAsync(key)
if session then
\tlocal coins: string = session:Get().Bank.Coins
\tprint(coins)
end
Guilds:UpdateAsync(key, function(guild)
\tguild.Bank.Coins = \"many\"
end)
Guilds:QueueOperationAsync(key, \"deposit-1\", \"Withdraw\", { Coins = 5 })
Guilds:QueueOperationAsync(key, \"deposit-2\", \"Deposit\", { Coins = \"5\" })
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec![
            "8: Expected this to be 'string', but got 'number'".to_string(),
            "12: Expected this to be 'number', but got 'string'".to_string(),
            "14: Expected this to be '\"Deposit\"', but got '\"Withdraw\"'".to_string(),
            "15: Expected this to be 'number', but got 'string'".to_string(),
        ]
    );
}

fn generated_paths_and_typed_field_helpers_check_clean_on_the_server() {
    let (ok, errors) = check_server_script(
        "ServerPaths",
        "local Types = require(ServerScriptService:WaitForChild(\"PlayerData\"):WaitForChild(\"Types\"))
PlayerData:Add(player, Types.Paths.WalletCoins, 5)
local level = PlayerData:GetPath(player, Types.Paths.ProgressLevel)
local path = { \"Wallet\", \"Gems\" }
PlayerData:Set(player, path, 3)
local Fields = PlayerData.Fields
Fields.WalletCoins:Add(player, 10, { Reason = \"Quest\" })
Fields.WalletGems:Set(player, 2)
local coins: number? = Fields.WalletCoins:Get(player)
Fields.Inventory:Insert(player, { Id = \"Sword\", Count = 1 })
Fields.Equipped:Set(player, { Hat = \"Cap\" })
Fields.ProgressXP:Patch(player, function(xp: number)
\treturn xp + 1
end)
local quests = Fields.Quests:Get(player)
print(level, coins, quests and quests.FirstSteps, Fields.WalletCoins.Path[1])
",
    );
    assert_eq!(errors, Vec::<String>::new());
    assert!(ok, "the package with typed paths checks clean");
}

fn typed_field_helpers_reject_a_wrong_value_and_an_unknown_field() {
    let (ok, errors) = check_server_script(
        "ServerPathsWrong",
        "local Fields = PlayerData.Fields
Fields.WalletCoins:Set(player, \"ten\")
Fields.WalletCoin:Add(player, 1)
Fields.Inventory:Insert(player, 5)
Fields.Equipped:Add(player, 1)
local label: string? = Fields.ProgressLevel:Get(player)
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec![
            "7: Expected this to be 'number', but got 'string'".to_string(),
            "8: Key 'WalletCoin' not found in table 'PlayerData.FieldHelpers'".to_string(),
            "9: Expected this to be 'Types.Item', but got 'number'".to_string(),
            "10: Key 'Add' not found in table 'Field<{ [string]: string }>'".to_string(),
            "11: Expected this to be 'string?', but got 'number?'; \nthe 1st component of the union is `number`, which is not a subtype of `string?`".to_string(),
        ]
    );
}

fn typed_field_helpers_of_a_keyed_store_take_the_session() {
    let (ok, errors) = check_keyed_script(
        "GuildFields",
        "local session = Guilds:OpenAsync(key)
if session then
\tGuilds.Fields.BankCoins:Increment(session, 5)
\tlocal coins: number? = Guilds.Fields.BankCoins:Get(session)
\tGuilds.Fields.BankCoins:Set(session, \"many\")
\tprint(coins)
end
",
    );
    assert!(!ok);
    assert_eq!(
        errors,
        vec!["10: Expected this to be 'number', but got 'string'".to_string()]
    );
}

/// The gates of this file, run by the `gates` harness (`tests/gates.rs`).
pub fn gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        (
            "a_correct_client_script_checks_clean",
            a_correct_client_script_checks_clean,
        ),
        (
            "observing_a_private_path_is_a_type_error",
            observing_a_private_path_is_a_type_error,
        ),
        (
            "assigning_observed_coins_to_a_string_is_a_type_error",
            assigning_observed_coins_to_a_string_is_a_type_error,
        ),
        (
            "writing_into_the_replica_data_is_a_type_error",
            writing_into_the_replica_data_is_a_type_error,
        ),
        (
            "a_correct_server_script_checks_clean_against_the_typed_facade",
            a_correct_server_script_checks_clean_against_the_typed_facade,
        ),
        (
            "the_typed_facade_rejects_wrong_data_and_payload_types",
            the_typed_facade_rejects_wrong_data_and_payload_types,
        ),
        (
            "keyed_project_build_passes_stylua_selene_and_strict_types",
            keyed_project_build_passes_stylua_selene_and_strict_types,
        ),
        (
            "a_correct_script_checks_clean_against_the_typed_keyed_store",
            a_correct_script_checks_clean_against_the_typed_keyed_store,
        ),
        (
            "the_typed_keyed_store_rejects_a_wrong_field_type_operation_name_and_payload",
            the_typed_keyed_store_rejects_a_wrong_field_type_operation_name_and_payload,
        ),
        (
            "generated_paths_and_typed_field_helpers_check_clean_on_the_server",
            generated_paths_and_typed_field_helpers_check_clean_on_the_server,
        ),
        (
            "typed_field_helpers_reject_a_wrong_value_and_an_unknown_field",
            typed_field_helpers_reject_a_wrong_value_and_an_unknown_field,
        ),
        (
            "typed_field_helpers_of_a_keyed_store_take_the_session",
            typed_field_helpers_of_a_keyed_store_take_the_session,
        ),
    ];
    gates.to_vec()
}
